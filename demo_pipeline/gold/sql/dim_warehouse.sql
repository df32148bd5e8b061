CREATE OR REPLACE TABLE dim_warehouse AS
SELECT warehouse_id, code, name, city, region, capacity_units
FROM read_parquet({warehouses})
ORDER BY warehouse_id;
