SELECT warehouse_id, channel, COUNT(DISTINCT order_id) AS orders,
       SUM(quantity) AS units, SUM(net_amount) AS revenue
FROM fact_sales
WHERE year = ${year} AND month = ${month} AND day = ${day}
GROUP BY warehouse_id, channel
