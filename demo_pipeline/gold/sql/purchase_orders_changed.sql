-- The purchase-order fact, kept up to date one day at a time: the purchase orders that
-- the day's silver partitions mention lose their rows, which the build then inserts
-- again with the query of purchase_orders.sql over every partition's rows of just those
-- orders, so each comes out as a full rebuild makes it. The other orders' rows stay:
-- nothing they are built from changed.
CREATE OR REPLACE TEMP TABLE changed_pos AS
SELECT DISTINCT po_id FROM read_parquet({day_files}, union_by_name = true);
DELETE FROM fact_purchase_order_line WHERE po_id IN (SELECT po_id FROM changed_pos);
