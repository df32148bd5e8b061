-- The products whose history changed against the gold copy, and the earliest start time
-- that changed: the versions (surrogate key, product, start time) in one copy and not in
-- the other. Start times only: the repoint's as-of join picks a version by its start
-- time, so a version whose end time alone moved (closed by the next one) moves no fact.
INSERT INTO changed_products
SELECT product_id, min(valid_from) AS changed_from
FROM (
    (SELECT product_sk, product_id, valid_from FROM incoming_dim_product
     EXCEPT
     SELECT product_sk, product_id, valid_from FROM dim_product)
    UNION ALL
    (SELECT product_sk, product_id, valid_from FROM dim_product
     EXCEPT
     SELECT product_sk, product_id, valid_from FROM incoming_dim_product)
) AS changed
GROUP BY product_id;
