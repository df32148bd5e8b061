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
