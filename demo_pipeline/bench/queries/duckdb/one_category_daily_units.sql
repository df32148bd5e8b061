SELECT f.business_date, SUM(f.quantity) AS units, COUNT(DISTINCT f.customer_id) AS buyers
FROM fact_sales f JOIN dim_product p ON f.product_sk = p.product_sk
WHERE p.category_name = (SELECT MIN(category_name) FROM dim_product)
GROUP BY f.business_date
