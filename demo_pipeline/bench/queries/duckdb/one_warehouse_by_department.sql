SELECT f.business_date, p.department, SUM(f.net_amount) AS revenue
FROM fact_sales f JOIN dim_product p ON f.product_sk = p.product_sk
WHERE f.warehouse_id = (SELECT MIN(warehouse_id) FROM fact_sales)
GROUP BY f.business_date, p.department
