-- When a product's history changed today (a late-arriving change splits an old
-- version), facts of that product loaded earlier are pointed at the right version.
UPDATE fact_sales AS f SET product_sk = r.product_sk
FROM (
    SELECT s.order_id, s.line_no, pit.product_sk
    FROM fact_sales AS s
    ASOF JOIN dim_product AS pit ON s.product_id = pit.product_id AND s.order_ts >= pit.valid_from
    WHERE s.product_id IN (SELECT product_id FROM changed_products)
) AS r
WHERE f.order_id = r.order_id AND f.line_no = r.line_no AND f.product_sk IS DISTINCT FROM r.product_sk;

UPDATE fact_inventory_daily AS f SET product_sk = r.product_sk
FROM (
    SELECT s.snapshot_date, s.product_id, s.warehouse_id, pit.product_sk
    FROM fact_inventory_daily AS s
    ASOF JOIN dim_product AS pit
        ON s.product_id = pit.product_id
       AND CAST(s.snapshot_date AS TIMESTAMP) + INTERVAL 23 HOUR >= pit.valid_from
    WHERE s.product_id IN (SELECT product_id FROM changed_products)
) AS r
WHERE f.snapshot_date = r.snapshot_date AND f.product_id = r.product_id
  AND f.warehouse_id = r.warehouse_id AND f.product_sk IS DISTINCT FROM r.product_sk;
