DELETE FROM fact_inventory_daily WHERE ingest_date = DATE {day};
-- No ORDER BY on the big inserts: the exports sort by key, sorting here is wasted work.
INSERT INTO fact_inventory_daily
WITH snap AS (
    SELECT *, CAST(snapshot_date AS TIMESTAMP) + INTERVAL 23 HOUR AS taken_at
    FROM read_parquet({inventory_snapshots})
),
first_version AS (
    SELECT product_id, min_by(product_sk, valid_from) AS product_sk
    FROM dim_product GROUP BY product_id
)
SELECT s.snapshot_date, CAST(strftime(s.snapshot_date, '%Y%m%d') AS INTEGER) AS date_key,
       coalesce(pit.product_sk, fv.product_sk) AS product_sk, s.product_id, s.warehouse_id,
       s.on_hand_units, s.on_order_units, DATE {day} AS ingest_date
FROM snap AS s
ASOF LEFT JOIN dim_product AS pit
    ON s.product_id = pit.product_id AND s.taken_at >= pit.valid_from
LEFT JOIN first_version AS fv ON s.product_id = fv.product_id;
