SELECT business_date, warehouse_id, COUNT(DISTINCT order_id) AS orders,
       SUM(quantity) AS units, SUM(net_amount) AS revenue
FROM fact_sales
GROUP BY business_date, warehouse_id
