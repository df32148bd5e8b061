-- SCD2, like dim_product.
CREATE OR REPLACE TABLE dim_supplier AS
SELECT supplier_sk, supplier_id, name, country, lead_time_days, is_active = 1 AS is_active,
       valid_from, valid_to, is_current
FROM read_parquet({suppliers})
ORDER BY supplier_sk;
