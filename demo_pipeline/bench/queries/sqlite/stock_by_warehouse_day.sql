SELECT snapshot_date, warehouse_id, SUM(on_hand_units) AS on_hand,
       SUM(on_order_units) AS on_order,
       SUM(CASE WHEN on_hand_units = 0 THEN 1 ELSE 0 END) AS stockouts
FROM fact_inventory_daily
GROUP BY snapshot_date, warehouse_id
