SELECT warehouse_id, channel, COUNT(DISTINCT order_id) AS orders,
       SUM(quantity) AS units, SUM(net_amount) AS revenue
FROM fact_sales
WHERE business_date = DATE '${day}'
GROUP BY warehouse_id, channel
