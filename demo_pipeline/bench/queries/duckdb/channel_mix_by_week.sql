SELECT date_trunc('week', f.business_date) AS week, f.channel,
       SUM(f.net_amount) AS revenue
FROM fact_sales f
GROUP BY week, f.channel
