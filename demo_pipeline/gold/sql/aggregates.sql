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
