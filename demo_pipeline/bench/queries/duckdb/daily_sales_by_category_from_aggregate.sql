-- The same question from the pre-aggregated gold table agg_daily_sales, grouped once
-- more across warehouses. An order ships from one warehouse, so summing per-warehouse
-- distinct orders is exact.
SELECT business_date, category_name, SUM(orders) AS orders,
       SUM(units) AS units, SUM(revenue) AS revenue
FROM agg_daily_sales
GROUP BY business_date, category_name
