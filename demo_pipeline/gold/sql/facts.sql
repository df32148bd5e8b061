-- One ingestion date of facts, replaced as a whole (the caller runs this only when
-- the day's silver partition exists). product_sk is resolved point in time: the
-- version in force when the order was placed / the snapshot was taken; an event
-- older than a product's first version takes the first version.
INSERT INTO affected_dates SELECT DISTINCT business_date FROM fact_sales WHERE ingest_date = DATE {day};
DELETE FROM fact_sales WHERE ingest_date = DATE {day};
INSERT INTO fact_sales
WITH lines AS (
    SELECT o.order_id, l.line_no, o.business_date,
           CAST(strftime(o.business_date, '%Y%m%d') AS INTEGER) AS date_key,
           o.order_ts, l.product_id, o.warehouse_id, o.customer_id, o.channel,
           l.quantity, l.unit_price_cents / 100 AS unit_price
    FROM read_parquet({order_lines}) AS l
    JOIN read_parquet({orders}) AS o USING (order_id)
),
first_version AS (
    SELECT product_id, min_by(product_sk, valid_from) AS product_sk
    FROM dim_product GROUP BY product_id
)
SELECT l.order_id, l.line_no, l.business_date, l.date_key, l.order_ts,
       coalesce(pit.product_sk, fv.product_sk) AS product_sk,
       l.product_id, l.warehouse_id, l.customer_id, l.channel, l.quantity, l.unit_price,
       l.quantity * l.unit_price AS net_amount, DATE {day} AS ingest_date
FROM lines AS l
ASOF LEFT JOIN dim_product AS pit
    ON l.product_id = pit.product_id AND l.order_ts >= pit.valid_from
LEFT JOIN first_version AS fv ON l.product_id = fv.product_id
ORDER BY l.order_id, l.line_no;
INSERT INTO affected_dates SELECT DISTINCT business_date FROM fact_sales WHERE ingest_date = DATE {day};
