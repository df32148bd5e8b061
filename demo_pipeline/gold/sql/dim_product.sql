-- SCD2 (valid_from inclusive, valid_to exclusive; open versions end 9999-12-31).
CREATE OR REPLACE TABLE dim_product AS
SELECT * FROM incoming_dim_product ORDER BY product_sk;
