CREATE OR REPLACE TABLE dim_customer AS
SELECT customer_id, name, email, city, segment
FROM read_parquet({customers})
ORDER BY customer_id;
