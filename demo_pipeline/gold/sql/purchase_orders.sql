-- Purchase orders change status over days: the fact holds the latest version of
-- every line (and of its header) loaded so far.
CREATE OR REPLACE TABLE fact_purchase_order_line AS
WITH header AS (
    SELECT * FROM read_parquet({purchase_orders})
    QUALIFY row_number() OVER (PARTITION BY po_id ORDER BY updated_at DESC) = 1
),
line AS (
    SELECT * FROM read_parquet({purchase_order_lines})
    QUALIFY row_number() OVER (PARTITION BY po_id, line_no ORDER BY updated_at DESC) = 1
)
SELECT l.po_id, l.line_no, h.supplier_id, h.warehouse_id, l.product_id,
       h.order_date, CAST(strftime(h.order_date, '%Y%m%d') AS INTEGER) AS order_date_key,
       h.expected_date, h.status, l.qty_ordered, l.qty_received,
       l.unit_cost_cents / 100 AS unit_cost, l.qty_ordered * l.unit_cost_cents / 100 AS line_cost
FROM line AS l
JOIN header AS h USING (po_id)
ORDER BY l.po_id, l.line_no;
