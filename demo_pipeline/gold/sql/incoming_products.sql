-- The product dimension as silver has it now, staged so the build can see what
-- changed against the gold copy before replacing it.
CREATE OR REPLACE TEMP TABLE incoming_dim_product AS
SELECT
    p.product_sk, p.product_id, p.sku, p.name, p.category_id,
    c.name AS category_name, c.department, p.supplier_id,
    p.unit_cost_cents / 100 AS unit_cost, p.list_price_cents / 100 AS list_price,
    p.valid_from, p.valid_to, p.is_current
FROM read_parquet({products}) AS p
LEFT JOIN read_parquet({categories}) AS c USING (category_id);
