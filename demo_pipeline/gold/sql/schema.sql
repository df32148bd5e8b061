-- Fact tables are loaded incrementally (one ingestion date at a time), so they are
-- created once with explicit types. Dimensions and aggregates are rebuilt each day.
CREATE TABLE IF NOT EXISTS fact_sales (
    order_id        VARCHAR NOT NULL,
    line_no         BIGINT NOT NULL,
    business_date   DATE NOT NULL,
    date_key        INTEGER NOT NULL,
    order_ts        TIMESTAMP,
    product_sk      BIGINT,
    product_id      BIGINT NOT NULL,
    warehouse_id    BIGINT,
    customer_id     BIGINT,
    channel         VARCHAR,
    quantity        BIGINT,
    unit_price      DOUBLE,
    net_amount      DOUBLE,
    ingest_date     DATE NOT NULL
);
CREATE TABLE IF NOT EXISTS fact_inventory_daily (
    snapshot_date   DATE NOT NULL,
    date_key        INTEGER NOT NULL,
    product_sk      BIGINT,
    product_id      BIGINT NOT NULL,
    warehouse_id    BIGINT NOT NULL,
    on_hand_units   BIGINT,
    on_order_units  BIGINT,
    ingest_date     DATE NOT NULL
);
CREATE TABLE IF NOT EXISTS agg_daily_sales (
    business_date   DATE,
    warehouse_id    BIGINT,
    category_name   VARCHAR,
    orders          BIGINT,
    units           BIGINT,
    revenue         DOUBLE
);
-- The business dates whose daily aggregates must be recomputed in this build.
CREATE OR REPLACE TEMP TABLE affected_dates (business_date DATE);
-- Products whose version start times changed, and the earliest start time that did.
CREATE OR REPLACE TEMP TABLE changed_products (product_id BIGINT, changed_from TIMESTAMP);
-- What each dimension was last built from: unchanged sources, no rebuild.
CREATE TABLE IF NOT EXISTS gold_loads (item VARCHAR PRIMARY KEY, fingerprint VARCHAR NOT NULL);
