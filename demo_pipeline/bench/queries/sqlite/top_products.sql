SELECT product_id, SUM(net_amount) AS revenue, SUM(quantity) AS units
FROM fact_sales
GROUP BY product_id
ORDER BY revenue DESC, product_id
LIMIT 10
