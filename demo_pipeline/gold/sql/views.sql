-- Views: the stock-cover answer, and the joins an analyst would otherwise write by hand.

-- Days of stock cover at the latest snapshot: on hand / average daily units sold
-- over the 14 days up to it; stock-out risk against the supplier lead time.
-- A view, not a table: it answers for the latest snapshot only, so a table of it was
-- rebuilt whole every day (and written at every commit) for the few reads it gets;
-- the Parquet export materialises it once (ADR 0014).
-- A ratio that can land exactly on a half (747 / (80 / 14) = 130.725) is rounded as a
-- DECIMAL, six decimals first, then two: rounding the double rounds its binary value
-- (130.72499...: 130.72), not the 130.725 a reader sees (130.73).
CREATE OR REPLACE VIEW agg_stock_cover AS
WITH latest AS (
    SELECT * FROM fact_inventory_daily
    WHERE snapshot_date = (SELECT max(snapshot_date) FROM fact_inventory_daily)
),
demand AS (
    SELECT product_id, warehouse_id, sum(quantity) / 14.0 AS avg_daily_units
    FROM fact_sales
    WHERE business_date > (SELECT max(snapshot_date) FROM fact_inventory_daily) - INTERVAL 14 DAY
      AND business_date <= (SELECT max(snapshot_date) FROM fact_inventory_daily)
    GROUP BY ALL
),
lead AS (
    SELECT p.product_id, s.lead_time_days
    FROM dim_product AS p
    JOIN dim_supplier AS s ON s.supplier_id = p.supplier_id AND s.is_current
    WHERE p.is_current
)
SELECT l.snapshot_date, l.product_id, l.warehouse_id, l.on_hand_units, l.on_order_units,
       round(coalesce(d.avg_daily_units, 0), 4) AS avg_daily_units,
       CASE WHEN coalesce(d.avg_daily_units, 0) > 0
            THEN CAST(round(CAST(l.on_hand_units / d.avg_daily_units AS DECIMAL(18, 6)), 2)
                      AS DOUBLE) END AS days_of_cover,
       lead.lead_time_days,
       CASE
           WHEN l.on_hand_units <= 0 THEN 'stocked_out'
           WHEN coalesce(d.avg_daily_units, 0) = 0 THEN 'no_demand'
           WHEN l.on_hand_units / d.avg_daily_units < coalesce(lead.lead_time_days, 7) THEN 'high'
           WHEN l.on_hand_units / d.avg_daily_units < 2 * coalesce(lead.lead_time_days, 7) THEN 'medium'
           ELSE 'low'
       END AS stockout_risk
FROM latest AS l
LEFT JOIN demand AS d USING (product_id, warehouse_id)
LEFT JOIN lead USING (product_id);

CREATE OR REPLACE VIEW v_sales AS
SELECT f.*, p.sku, p.name AS product_name, p.category_name, p.department,
       p.list_price AS list_price_at_sale, w.name AS warehouse_name, w.region,
       c.segment AS customer_segment, d.iso_weekday, d.is_weekend, d.is_expected_peak
FROM fact_sales AS f
LEFT JOIN dim_product AS p USING (product_sk)
LEFT JOIN dim_warehouse AS w USING (warehouse_id)
LEFT JOIN dim_customer AS c USING (customer_id)
LEFT JOIN dim_date AS d USING (date_key);

CREATE OR REPLACE VIEW v_inventory_latest AS
SELECT s.*, p.sku, p.name AS product_name, p.category_name, w.name AS warehouse_name
FROM agg_stock_cover AS s
LEFT JOIN dim_product AS p ON p.product_id = s.product_id AND p.is_current
LEFT JOIN dim_warehouse AS w USING (warehouse_id);

CREATE OR REPLACE VIEW v_product_price_history AS
SELECT product_id, sku, product_sk, list_price, unit_cost, valid_from, valid_to, is_current
FROM dim_product;
