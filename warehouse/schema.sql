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

-- Contract views the dashboard reads. These first bodies are simple; the places/agencies issue refines them
-- without changing their columns.
CREATE OR REPLACE VIEW agencies AS
SELECT agency_id, arg_max(agency, year) AS agency_name, string_agg(DISTINCT agency, ';') AS aliases,
       any_value(agency_level) AS agency_level, any_value(agency_kind) AS agency_kind,
       bool_or(coalesce(is_vertical, FALSE)) AS is_vertical,
       any_value(province) AS province, any_value(city) AS city, any_value(county) AS county,
       any_value(province_code) AS province_code, any_value(city_code) AS city_code,
       any_value(county_code) AS county_code, any_value(place_code) AS place_code,
       min(year) AS first_year, max(year) AS last_year, count(*) AS n_reports
FROM reports
WHERE is_current AND agency_id IS NOT NULL
GROUP BY agency_id;

CREATE OR REPLACE VIEW coverage AS
WITH span AS (
    SELECT agency_id, arg_max(agency, year) AS agency_name, any_value(place_code) AS place_code,
           min(year) AS first_year, max(year) AS last_year
    FROM reports
    WHERE agency_id IS NOT NULL AND year IS NOT NULL
    GROUP BY agency_id
),
grid AS (
    SELECT agency_id, agency_name, place_code, CAST(unnest(range(first_year, last_year + 1)) AS INTEGER) AS year
    FROM span
),
versions AS (
    SELECT agency_id, year, count(*) AS n_versions,
           max(CASE WHEN is_current THEN report_id END) AS current_report_id
    FROM reports
    WHERE agency_id IS NOT NULL AND year IS NOT NULL
    GROUP BY agency_id, year
)
SELECT g.agency_id, g.agency_name, g.place_code, g.year,
       CASE WHEN v.n_versions IS NULL THEN 'missing'
            WHEN v.n_versions > 1 THEN 'several_versions'
            ELSE 'published' END AS status,
       coalesce(v.n_versions, 0) AS n_versions, v.current_report_id
FROM grid AS g
LEFT JOIN versions AS v USING (agency_id, year);

CREATE OR REPLACE VIEW series AS
WITH mapping (metric_code, fact_breakdown, series_code, comparable_group) AS (
    VALUES
        ('old.proactive.total', '', 'proactive.total', 'old'),
        ('fj.proactive.total', '', 'proactive.total', 'old'),
        ('text.proactive.total', '', 'proactive.total', 'narrative'),
        ('old.requests.received', '', 'requests.received', 'old'),
        ('fj.requests.total', '', 'requests.received', 'old'),
        ('req.received', 'total', 'requests.received', 'new'),
        ('req.total', 'total', 'requests.handled', 'new'),
        ('req.granted', 'total', 'requests.granted', 'new'),
        ('req.carried_out', 'total', 'requests.carried_over', 'new'),
        ('old.reconsideration.total', '', 'reconsideration.total', 'all'),
        ('review.total', '', 'reconsideration.total', 'all'),
        ('old.litigation.total', '', 'litigation.total', 'all'),
        ('suit_direct.total', '', 'litigation.total', 'all'),
        ('suit_after_review.total', '', 'litigation.total', 'all')
)
SELECT f.report_id, r.agency_id, r.year, r.template, m.series_code, '' AS breakdown,
       sum(f.value) AS value, m.comparable_group, coalesce(r.scope, 'own') AS scope
FROM facts AS f
JOIN mapping AS m ON m.metric_code = f.metric_code AND m.fact_breakdown = f.breakdown
JOIN reports AS r ON r.report_id = f.report_id
GROUP BY ALL;
