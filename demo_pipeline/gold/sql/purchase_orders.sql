-- Purchase orders change status over days: the fact holds the latest version of
-- every line (and of its header) loaded so far. A query, not a statement: the build
-- creates the table from it over every partition, or replaces the rows of the orders
-- a day changed with it over just those orders (gold/build.py, purchase_orders_changed.sql);
-- Spark compiles the same query. {purchase_orders} and {purchase_order_lines} are
-- relations: read_parquet([...]), a view, or a subquery.
WITH header AS (
    SELECT * FROM {purchase_orders}
    QUALIFY row_number() OVER (PARTITION BY po_id ORDER BY updated_at DESC) = 1
),
line AS (
    SELECT * FROM {purchase_order_lines}
    QUALIFY row_number() OVER (PARTITION BY po_id, line_no ORDER BY updated_at DESC) = 1
)
SELECT l.po_id, l.line_no, h.supplier_id, h.warehouse_id, l.product_id,
       h.order_date, CAST(strftime(h.order_date, '%Y%m%d') AS INTEGER) AS order_date_key,
       h.expected_date, h.status, l.qty_ordered, l.qty_received,
       l.unit_cost_cents / 100 AS unit_cost, l.qty_ordered * l.unit_cost_cents / 100 AS line_cost
FROM line AS l
JOIN header AS h USING (po_id)
ORDER BY l.po_id, l.line_no
