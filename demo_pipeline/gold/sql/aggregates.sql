-- Pre-aggregated answers to the common questions, rebuilt from the facts each day.
-- Daily sales: only the business dates touched by this build are recomputed (the
-- day's facts, late orders landing in earlier dates, re-pointed facts), plus any date with
-- sales but no aggregate yet: a build that could not run the aggregates (no purchase
-- orders in silver yet) leaves its dates to the next one that can.
-- --8<-- [start:affected-dates]
INSERT INTO affected_dates
SELECT DISTINCT business_date FROM fact_sales
WHERE business_date NOT IN (SELECT business_date FROM agg_daily_sales);
DELETE FROM agg_daily_sales WHERE business_date IN (SELECT business_date FROM affected_dates);
INSERT INTO agg_daily_sales
SELECT f.business_date, f.warehouse_id, coalesce(p.category_name, 'unknown') AS category_name,
       count(DISTINCT f.order_id) AS orders, CAST(sum(f.quantity) AS BIGINT) AS units,
       round(sum(f.net_amount), 2) AS revenue
FROM fact_sales AS f
LEFT JOIN dim_product AS p USING (product_sk)
WHERE f.business_date IN (SELECT business_date FROM affected_dates)
GROUP BY ALL
ORDER BY ALL;
-- --8<-- [end:affected-dates]

-- Days of stock cover at the latest snapshot: on hand / average daily units sold
-- over the 14 days up to it; stock-out risk against the supplier lead time.
-- A ratio that can land exactly on a half (747 / (80 / 14) = 130.725) is rounded as a
-- DECIMAL: DuckDB rounds the double's binary value (130.72499...: 130.72) and Spark
-- its shortest decimal form (130.725: 130.73), so rounding the double would make the
-- two engines disagree. Six decimals first, then two, is the same in both.
CREATE OR REPLACE TABLE agg_stock_cover AS
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

-- Supplier fill rate: units received / units ordered over purchase orders that are
-- due (expected date reached) and not cancelled.
CREATE OR REPLACE TABLE agg_supplier_fill_rate AS
SELECT f.supplier_id, s.name AS supplier_name,
       count(DISTINCT f.po_id) AS purchase_orders, count(*) AS po_lines,
       CAST(sum(f.qty_ordered) AS BIGINT) AS units_ordered,
       CAST(sum(f.qty_received) AS BIGINT) AS units_received,
       CAST(round(CAST(100.0 * sum(f.qty_received) / nullif(sum(f.qty_ordered), 0)
                       AS DECIMAL(18, 6)), 2) AS DOUBLE) AS fill_rate_pct
FROM fact_purchase_order_line AS f
LEFT JOIN dim_supplier AS s ON s.supplier_id = f.supplier_id AND s.is_current
WHERE f.status <> 'cancelled'
  AND f.expected_date <= (SELECT coalesce(max(business_date), DATE '9999-12-31') FROM fact_sales)
GROUP BY ALL
ORDER BY f.supplier_id;
