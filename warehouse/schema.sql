-- xxgk warehouse schema. Every statement is idempotent; `schema_version` in `warehouse_info` says
-- which layout a file has.

CREATE TABLE IF NOT EXISTS warehouse_info (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS metrics (
    code      VARCHAR PRIMARY KEY,
    templates VARCHAR NOT NULL,
    section   VARCHAR,
    label_zh  VARCHAR NOT NULL,
    label_en  VARCHAR NOT NULL,
    unit      VARCHAR,
    parent    VARCHAR,
    breakdown VARCHAR
);

-- One row per distinct file content (report_id = SHA-256 of the bytes).
CREATE TABLE IF NOT EXISTS reports (
    report_id      VARCHAR PRIMARY KEY,
    source_file    VARCHAR NOT NULL,
    file_name      VARCHAR NOT NULL,
    format         VARCHAR NOT NULL,
    encoding       VARCHAR,
    file_size      BIGINT,
    template       VARCHAR NOT NULL CHECK (template IN ('old', 'old_fujian', 'v2019', 'v2021')),
    title          VARCHAR,
    agency         VARCHAR,
    agency_source  VARCHAR,
    year           INTEGER,
    year_source    VARCHAR,
    province       VARCHAR,
    city           VARCHAR,
    county         VARCHAR,
    -- Contract with the dashboard (issue 4 fills these by lookup; NULL = not known, never a guess).
    province_code  VARCHAR,          -- 6-digit administrative codes
    city_code      VARCHAR,
    county_code    VARCHAR,
    place_code     VARCHAR,          -- the most specific of the three
    place_status   VARCHAR,          -- resolved | override | unresolved
    agency_id      VARCHAR,          -- stable across years and name variants
    agency_level   VARCHAR,          -- province | city | county | township
    agency_kind    VARCHAR,          -- government | government_office | department | township | zone | vertical
    is_vertical    BOOLEAN,
    scope          VARCHAR,          -- own | aggregate
    scope_evidence VARCHAR,
    publisher      VARCHAR,
    published      VARCHAR,
    url            VARCHAR,
    expected_cells INTEGER,
    found_cells    INTEGER,
    n_warnings     INTEGER,
    checks_failed  INTEGER,
    is_current     BOOLEAN NOT NULL DEFAULT TRUE,
    ingested_at    TIMESTAMP NOT NULL
);

-- Which path holds which content: a changed file replaces the report its path pointed to.
CREATE TABLE IF NOT EXISTS sources (
    path      VARCHAR PRIMARY KEY,
    report_id VARCHAR NOT NULL,
    seen_at   TIMESTAMP NOT NULL
);

CREATE TABLE IF NOT EXISTS facts (
    report_id    VARCHAR NOT NULL,
    metric_code  VARCHAR NOT NULL,
    breakdown    VARCHAR NOT NULL,
    value        DECIMAL(38, 6),
    value_raw    VARCHAR NOT NULL,
    semantic     VARCHAR NOT NULL CHECK (semantic IN ('number', 'zero', 'blank', 'na', 'invalid')),
    confidence   VARCHAR NOT NULL,
    table_no     INTEGER,
    row_label    VARCHAR,
    column_label VARCHAR,
    page         INTEGER,
    locator      VARCHAR
);

CREATE TABLE IF NOT EXISTS parse_warnings (
    report_id VARCHAR NOT NULL,
    code      VARCHAR NOT NULL,
    message   VARCHAR NOT NULL,
    locator   VARCHAR
);

CREATE TABLE IF NOT EXISTS checks (
    report_id VARCHAR NOT NULL,
    check_id  VARCHAR NOT NULL,
    severity  VARCHAR NOT NULL,
    status    VARCHAR NOT NULL CHECK (status IN ('pass', 'fail', 'not_assessable')),
    breakdown VARCHAR NOT NULL,
    expected  DECIMAL(38, 6),
    actual    DECIMAL(38, 6),
    message   VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS documents (
    report_id VARCHAR PRIMARY KEY,
    text      VARCHAR NOT NULL
);

-- Inputs that did not load: the latest outcome per path.
CREATE TABLE IF NOT EXISTS ingest_errors (
    source_file  VARCHAR PRIMARY KEY,
    content_hash VARCHAR,
    kind         VARCHAR NOT NULL CHECK (kind IN ('error', 'rejected')),
    reason       VARCHAR NOT NULL,
    recorded_at  TIMESTAMP NOT NULL
);

CREATE TABLE IF NOT EXISTS runs (
    started_at  TIMESTAMP NOT NULL,
    finished_at TIMESTAMP NOT NULL,
    inputs      INTEGER NOT NULL,
    loaded      INTEGER NOT NULL,
    replaced    INTEGER NOT NULL,
    unchanged   INTEGER NOT NULL,
    rejected    INTEGER NOT NULL,
    errors      INTEGER NOT NULL
);

CREATE OR REPLACE VIEW facts_long AS
SELECT
    r.agency, r.year, r.template, r.province, r.city, r.county,
    f.metric_code, m.label_zh AS metric_label_zh, m.label_en AS metric_label_en, m.unit,
    f.breakdown, f.value, f.value_raw, f.semantic, f.confidence,
    r.source_file, f.table_no, f.row_label, f.column_label, f.page, f.locator,
    r.report_id, r.is_current
FROM facts AS f
JOIN reports AS r USING (report_id)
LEFT JOIN metrics AS m ON m.code = f.metric_code;
