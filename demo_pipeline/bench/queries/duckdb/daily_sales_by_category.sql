-- Orders, units and revenue per business day and category, from the facts. Same
-- definition as the pipeline's aggregate (gold/sql/aggregates.sql): sales of a product
-- with no dimension row count under 'unknown'.
SELECT f.business_date, COALESCE(p.category_name, 'unknown') AS category_name,
       COUNT(DISTINCT f.order_id) AS orders,
       SUM(f.quantity) AS units, SUM(f.net_amount) AS revenue
FROM fact_sales f LEFT JOIN dim_product p ON f.product_sk = p.product_sk
GROUP BY f.business_date, COALESCE(p.category_name, 'unknown')
