-- Views for the joins an analyst would otherwise write by hand.
CREATE OR REPLACE VIEW v_sales AS
SELECT f.*, p.sku, p.name AS product_name, p.category_name, p.department,
       p.list_price AS list_price_at_sale, w.name AS warehouse_name, w.region,
       c.segment AS customer_segment, d.iso_weekday, d.is_weekend, d.is_expected_peak
FROM fact_sales AS f
LEFT JOIN dim_product AS p USING (product_sk)
LEFT JOIN dim_warehouse AS w USING (warehouse_id)
LEFT JOIN dim_customer AS c USING (customer_id)
LEFT JOIN dim_date AS d USING (date_key);

CREATE OR REPLACE VIEW v_inventory_latest AS
SELECT s.*, p.sku, p.name AS product_name, p.category_name, w.name AS warehouse_name
FROM agg_stock_cover AS s
LEFT JOIN dim_product AS p ON p.product_id = s.product_id AND p.is_current
LEFT JOIN dim_warehouse AS w USING (warehouse_id);

CREATE OR REPLACE VIEW v_product_price_history AS
SELECT product_id, sku, product_sk, list_price, unit_cost, valid_from, valid_to, is_current
FROM dim_product;
