-- When a product's history changed (a late-arriving change splits an old version),
-- facts of that product loaded earlier are pointed at the version in force at their
-- time. Only the changed products' facts are looked at, and only rows whose version
-- differs are updated; their business dates are recomputed in the aggregates.
-- The version in force at a time depends only on the versions' start times, so a fact
-- older than the earliest start time that changed ({since}) keeps its version: those
-- rows are not read (min/max pruning on the date columns), and a day's repoint costs
-- what the day changed, not the whole history.
CREATE OR REPLACE TEMP TABLE repointed_sales AS
WITH s AS (
    SELECT order_id, line_no, business_date, order_ts, product_id, product_sk
    FROM fact_sales
    WHERE product_id IN (SELECT product_id FROM changed_products)
      AND order_ts >= TIMESTAMP {since}
)
SELECT s.order_id, s.line_no, s.business_date, pit.product_sk AS new_sk
FROM s ASOF JOIN dim_product AS pit ON s.product_id = pit.product_id AND s.order_ts >= pit.valid_from
WHERE s.product_sk IS DISTINCT FROM pit.product_sk;

UPDATE fact_sales AS f SET product_sk = r.new_sk
FROM repointed_sales AS r WHERE f.order_id = r.order_id AND f.line_no = r.line_no;
INSERT INTO affected_dates SELECT DISTINCT business_date FROM repointed_sales;

CREATE OR REPLACE TEMP TABLE repointed_inventory AS
WITH s AS (
    SELECT snapshot_date, product_id, warehouse_id, product_sk,
           CAST(snapshot_date AS TIMESTAMP) + INTERVAL 23 HOUR AS taken_at
    FROM fact_inventory_daily
    WHERE product_id IN (SELECT product_id FROM changed_products)
      -- taken_at >= {since}, said of the column itself so that it prunes
      AND snapshot_date >= CAST(TIMESTAMP {since} - INTERVAL 23 HOUR AS DATE)
)
SELECT s.snapshot_date, s.product_id, s.warehouse_id, pit.product_sk AS new_sk
FROM s ASOF JOIN dim_product AS pit ON s.product_id = pit.product_id AND s.taken_at >= pit.valid_from
WHERE s.product_sk IS DISTINCT FROM pit.product_sk;

UPDATE fact_inventory_daily AS f SET product_sk = r.new_sk
FROM repointed_inventory AS r
WHERE f.snapshot_date = r.snapshot_date AND f.product_id = r.product_id
  AND f.warehouse_id = r.warehouse_id;
