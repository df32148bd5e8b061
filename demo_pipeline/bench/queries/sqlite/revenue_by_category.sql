SELECT p.department, p.category_name, SUM(f.quantity) AS units,
       SUM(f.net_amount) AS revenue, COUNT(*) AS lines
FROM fact_sales f
JOIN dim_product p ON f.product_sk = p.product_sk
GROUP BY p.department, p.category_name
