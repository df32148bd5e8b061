-- The purchase-order fact, kept up to date one day at a time: only the purchase orders
-- that the day's silver partitions mention are recomputed, with the query of
-- purchase_orders.sql (latest header, latest version of each line) restricted to them
-- and read from every partition, so each comes out as a full rebuild makes it. The
-- other orders' rows stay: nothing they are built from changed.
CREATE OR REPLACE TEMP TABLE changed_pos AS
SELECT DISTINCT po_id FROM read_parquet({day_files}, union_by_name = true);
DELETE FROM fact_purchase_order_line WHERE po_id IN (SELECT po_id FROM changed_pos);
INSERT INTO fact_purchase_order_line
WITH header AS (
    SELECT * FROM {purchase_orders}
    WHERE po_id IN (SELECT po_id FROM changed_pos)
    QUALIFY row_number() OVER (PARTITION BY po_id ORDER BY updated_at DESC) = 1
),
line AS (
    SELECT * FROM {purchase_order_lines}
    WHERE po_id IN (SELECT po_id FROM changed_pos)
    QUALIFY row_number() OVER (PARTITION BY po_id, line_no ORDER BY updated_at DESC) = 1
)
SELECT l.po_id, l.line_no, h.supplier_id, h.warehouse_id, l.product_id,
       h.order_date, CAST(strftime(h.order_date, '%Y%m%d') AS INTEGER) AS order_date_key,
       h.expected_date, h.status, l.qty_ordered, l.qty_received,
       l.unit_cost_cents / 100 AS unit_cost, l.qty_ordered * l.unit_cost_cents / 100 AS line_cost
FROM line AS l
JOIN header AS h USING (po_id)
ORDER BY l.po_id, l.line_no;
