-- Dimensions from silver. dim_product and dim_supplier keep SCD2 history
-- (valid_from inclusive, valid_to exclusive; open versions end 9999-12-31).
CREATE OR REPLACE TABLE dim_product AS
SELECT * FROM incoming_dim_product ORDER BY product_sk;

CREATE OR REPLACE TABLE dim_supplier AS
SELECT supplier_sk, supplier_id, name, country, lead_time_days, is_active = 1 AS is_active,
       valid_from, valid_to, is_current
FROM read_parquet({suppliers})
ORDER BY supplier_sk;

CREATE OR REPLACE TABLE dim_warehouse AS
SELECT warehouse_id, code, name, city, region, capacity_units
FROM read_parquet({warehouses})
ORDER BY warehouse_id;

CREATE OR REPLACE TABLE dim_customer AS
SELECT customer_id, name, email, city, segment
FROM read_parquet({customers})
ORDER BY customer_id;

CREATE OR REPLACE TABLE dim_date AS
SELECT
    CAST(strftime(d, '%Y%m%d') AS INTEGER) AS date_key,
    CAST(d AS DATE) AS date,
    year(d) AS year, month(d) AS month, day(d) AS day,
    isodow(d) AS iso_weekday, dayname(d) AS weekday_name,
    isodow(d) >= 6 AS is_weekend, weekofyear(d) AS iso_week,
    CAST(d AS DATE) IN ({peak_days}) AS is_expected_peak
FROM range(DATE {first_day}, DATE {last_day} + INTERVAL 1 DAY, INTERVAL 1 DAY) AS t(d)
ORDER BY date_key;
