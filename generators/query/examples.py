"""The example queries of the "Query the data" page: each tells one part of the story the
site tells (the star schema, SCD2, quarantine, the anomaly, late data, pre-aggregation,
stock and suppliers) and reads only the published tables.

Every example orders its rows completely (its ORDER BY ends on a key), so the page's first
page of rows is one well-defined set, and returns at most `MAX_EXAMPLE_ROWS` rows, so the
whole answer fits on one page. The build runs each one with Python DuckDB over the
published Parquet files and stores the answer with the site; the browser test runs each
one again in DuckDB-WASM and compares.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Example:
    id: str
    title: str
    story: str
    """One sentence: what the answer shows."""
    sql: str


EXAMPLES: tuple[Example, ...] = (
    Example(
        "revenue_by_warehouse_day",
        "Revenue by warehouse and day",
        "The fact table joined to the warehouse dimension: orders and revenue per warehouse "
        "and business date.",
        """\
SELECT f.business_date,
       w.code AS warehouse,
       w.region,
       count(DISTINCT f.order_id) AS orders,
       round(sum(f.net_amount), 2) AS revenue
FROM fact_sales AS f
JOIN dim_warehouse AS w USING (warehouse_id)
GROUP BY ALL
ORDER BY f.business_date, warehouse;""",
    ),
    Example(
        "scd2_history",
        "One product's SCD2 history",
        "The product whose record changed most often: one row per version, each valid from "
        "valid_from (inclusive) to valid_to (exclusive); the open version ends 9999-12-31.",
        """\
WITH most_changed AS (
    SELECT product_id
    FROM dim_product
    GROUP BY product_id
    ORDER BY count(*) DESC, product_id
    LIMIT 1
)
SELECT product_sk, product_id, sku, name, category_name,
       unit_cost, list_price, valid_from, valid_to, is_current
FROM dim_product
WHERE product_id = (SELECT product_id FROM most_changed)
ORDER BY valid_from, product_sk;""",
    ),
    Example(
        "quarantine_by_day",
        "Quarantine reasons by day",
        "Rows the silver contracts set aside instead of loading, per day, table and broken "
        "rule (from the quality results).",
        """\
SELECT business_date,
       "table",
       rule,
       CAST(sum(rows_failed) AS BIGINT) AS rows_quarantined,
       CAST(sum(rows_checked) AS BIGINT) AS rows_checked
FROM quality_results
WHERE action = 'quarantined'
GROUP BY ALL
ORDER BY business_date, "table", rule;""",
    ),
    Example(
        "anomaly_vs_expected",
        "The anomaly day against its expected range",
        "Orders per day for each series the tier-3 check flagged, against a simplified "
        "version of its expected range: the same weekday's mean over the previous four "
        "weeks, plus or minus three standard deviations of the previous seven days "
        "(expected peaks left out of the baseline).",
        """\
WITH flagged AS (
    SELECT DISTINCT CAST(split_part(series, '=', 2) AS BIGINT) AS warehouse_id,
           business_date
    FROM anomalies
    WHERE measure = 'orders_per_warehouse'
),
daily AS (
    SELECT f.warehouse_id, f.business_date,
           count(DISTINCT f.order_id) AS orders,
           any_value(d.is_expected_peak) AS is_expected_peak,
           any_value(fl.business_date IS NOT NULL) AS flagged
    FROM fact_sales AS f
    JOIN dim_date AS d USING (date_key)
    LEFT JOIN flagged AS fl USING (warehouse_id, business_date)
    WHERE f.warehouse_id IN (SELECT warehouse_id FROM flagged)
    GROUP BY ALL
),
judged AS (
    SELECT d.*,
           (SELECT avg(b.orders) FROM daily AS b
             WHERE b.warehouse_id = d.warehouse_id
               AND NOT b.is_expected_peak AND NOT b.flagged
               AND b.business_date < d.business_date
               AND b.business_date >= d.business_date - INTERVAL 28 DAY
               AND isodow(b.business_date) = isodow(d.business_date)) AS centre,
           (SELECT stddev_samp(b.orders) FROM daily AS b
             WHERE b.warehouse_id = d.warehouse_id
               AND NOT b.is_expected_peak AND NOT b.flagged
               AND b.business_date < d.business_date
               AND b.business_date >= d.business_date - INTERVAL 7 DAY) AS spread
    FROM daily AS d
)
SELECT j.warehouse_id, j.business_date, j.orders,
       round(j.centre, 1) AS expected_centre,
       round(greatest(j.centre - 3 * j.spread, 0), 1) AS expected_low,
       round(j.centre + 3 * j.spread, 1) AS expected_high,
       j.orders NOT BETWEEN j.centre - 3 * j.spread
                        AND j.centre + 3 * j.spread AS outside_range,
       j.is_expected_peak,
       j.flagged AS flagged_by_the_pipeline
FROM judged AS j
JOIN flagged AS fl ON fl.warehouse_id = j.warehouse_id
 AND j.business_date BETWEEN fl.business_date - INTERVAL 3 DAY
                         AND fl.business_date + INTERVAL 3 DAY
ORDER BY j.warehouse_id, j.business_date;""",
    ),
    Example(
        "late_data",
        "The late-data recomputation",
        "Business dates some of whose orders arrived on a later day: the revenue each "
        "arrival brought, the total after each recomputation, and what the pre-aggregated "
        "table holds now.",
        """\
WITH by_arrival AS (
    SELECT business_date, ingest_date,
           count(DISTINCT order_id) AS orders,
           sum(net_amount) AS revenue
    FROM fact_sales
    WHERE business_date IN (
        SELECT business_date FROM fact_sales WHERE ingest_date > business_date)
    GROUP BY ALL
)
SELECT b.business_date,
       b.ingest_date AS arrived_on,
       b.ingest_date - b.business_date AS days_late,
       b.orders,
       round(b.revenue, 2) AS revenue_arrived,
       round(sum(b.revenue) OVER (PARTITION BY b.business_date
                                  ORDER BY b.ingest_date), 2) AS revenue_after_recompute,
       (SELECT round(sum(a.revenue), 2) FROM agg_daily_sales AS a
         WHERE a.business_date = b.business_date) AS revenue_in_aggregate
FROM by_arrival AS b
ORDER BY b.business_date, b.ingest_date;""",
    ),
    Example(
        "preagg_vs_facts",
        "A pre-aggregated table against the fact table",
        "agg_daily_sales against the same answer computed from fact_sales and the product "
        "dimension, per day: the cells compared and how many differ (none should).",
        """\
WITH from_facts AS (
    SELECT f.business_date, f.warehouse_id,
           coalesce(p.category_name, 'unknown') AS category_name,
           count(DISTINCT f.order_id) AS orders,
           CAST(sum(f.quantity) AS BIGINT) AS units,
           round(sum(f.net_amount), 2) AS revenue
    FROM fact_sales AS f
    LEFT JOIN dim_product AS p USING (product_sk)
    GROUP BY ALL
)
SELECT business_date,
       count(*) AS cells,
       round(sum(a.revenue), 2) AS revenue_aggregate,
       round(sum(f.revenue), 2) AS revenue_from_facts,
       count(*) FILTER (WHERE a.orders IS DISTINCT FROM f.orders
                           OR a.units IS DISTINCT FROM f.units
                           OR a.revenue IS NULL OR f.revenue IS NULL
                           OR abs(a.revenue - f.revenue) > 0.005) AS cells_that_differ
FROM agg_daily_sales AS a
FULL JOIN from_facts AS f USING (business_date, warehouse_id, category_name)
GROUP BY business_date
ORDER BY business_date;""",
    ),
    Example(
        "inventory_at_risk",
        "Inventory at risk",
        "Stock that runs out before the supplier can deliver, at the latest snapshot: the 25 "
        "product-warehouse pairs with the fewest days of cover among those at high risk.",
        """\
SELECT s.snapshot_date, p.sku, p.name AS product, w.code AS warehouse,
       s.on_hand_units, s.on_order_units,
       round(s.avg_daily_units, 2) AS avg_daily_units,
       s.days_of_cover, s.lead_time_days
FROM agg_stock_cover AS s
JOIN dim_product AS p ON p.product_id = s.product_id AND p.is_current
JOIN dim_warehouse AS w USING (warehouse_id)
WHERE s.stockout_risk = 'high'
ORDER BY s.days_of_cover, s.product_id, s.warehouse_id
LIMIT 25;""",
    ),
    Example(
        "supplier_lead_times",
        "Supplier lead times",
        "The 20 suppliers with the longest promised lead time: promised against the lead time "
        "their purchase orders expect, and the share of ordered units received.",
        """\
SELECT s.supplier_id, s.name AS supplier, s.country,
       s.lead_time_days AS promised_lead_days,
       count(DISTINCT f.po_id) AS purchase_orders,
       round(avg(f.expected_date - f.order_date), 1) AS avg_expected_lead_days,
       r.fill_rate_pct
FROM dim_supplier AS s
JOIN fact_purchase_order_line AS f ON f.supplier_id = s.supplier_id
LEFT JOIN agg_supplier_fill_rate AS r ON r.supplier_id = s.supplier_id
WHERE s.is_current
GROUP BY ALL
ORDER BY promised_lead_days DESC, s.supplier_id
LIMIT 20;""",
    ),
    Example(
        "star_schema_join",
        "Weekday and channel through the star schema",
        "The fact table joined to its date, customer and product dimensions: revenue by "
        "weekday, channel and customer segment.",
        """\
SELECT d.iso_weekday, d.weekday_name, f.channel, c.segment,
       count(DISTINCT f.order_id) AS orders,
       round(sum(f.net_amount), 2) AS revenue,
       round(sum(f.quantity * p.unit_cost), 2) AS cost_at_sale
FROM fact_sales AS f
JOIN dim_date AS d USING (date_key)
JOIN dim_customer AS c USING (customer_id)
LEFT JOIN dim_product AS p USING (product_sk)
GROUP BY ALL
ORDER BY d.iso_weekday, f.channel, c.segment;""",
    ),
)
