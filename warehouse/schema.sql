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
    place_note     VARCHAR,          -- why unresolved (ambiguous: …), a former name, the override or rule used
    parsed_place_code VARCHAR,       -- the place the document itself gave (before overrides)
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

-- Where `xxgk collect` found the document (its manifest.csv); NULL for files not collected by xxgk.
ALTER TABLE reports ADD COLUMN IF NOT EXISTS source_url VARCHAR;

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

-- Values read by OCR (etl/ocr): the score, whether a passing identity of the table confirms the value,
-- why it is in doubt (empty when nothing speaks against it) and a small PNG crop of the printed cell, so
-- that a reader can compare the number with the page. The box is in points of the rectified page.
CREATE TABLE IF NOT EXISTS ocr_cells (
    report_id   VARCHAR NOT NULL,
    metric_code VARCHAR NOT NULL,
    breakdown   VARCHAR NOT NULL,
    page        INTEGER NOT NULL,
    x0          DOUBLE NOT NULL,
    top         DOUBLE NOT NULL,
    x1          DOUBLE NOT NULL,
    bottom      DOUBLE NOT NULL,
    score       DOUBLE NOT NULL,
    confirmed   BOOLEAN NOT NULL,
    doubt       VARCHAR NOT NULL,
    crop_png    BLOB
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

-- Each check's message in Chinese (`message` is English) and the cells it read, as
-- `metric_code|breakdown` joined by ';' (docs/checks.md); NULL in warehouses written before they existed.
ALTER TABLE checks ADD COLUMN IF NOT EXISTS message_zh VARCHAR;
ALTER TABLE checks ADD COLUMN IF NOT EXISTS cells VARCHAR;

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

-- Each report's statistics tables as one fingerprint (X4: identical tables across agencies); the store
-- keeps it with the report row, so a changed report is compared without reading every fact again.
CREATE OR REPLACE VIEW report_prints AS
SELECT report_id,
       md5(string_agg(metric_code || '|' || breakdown || '|' || coalesce(CAST(value AS VARCHAR), '-'), ';'
                      ORDER BY metric_code, breakdown)) AS fingerprint,
       count(*) FILTER (value <> 0) AS nonzero
FROM facts
WHERE metric_code NOT LIKE 'text.%' AND metric_code NOT LIKE 'old.section.%'
GROUP BY report_id;

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

-- Which facts make a harmonised series (warehouse/series_map.csv; docs/series.md).
CREATE TABLE IF NOT EXISTS series_map (
    series_code      VARCHAR NOT NULL,
    breakdown        VARCHAR NOT NULL,
    template         VARCHAR NOT NULL,
    metric_code      VARCHAR NOT NULL,
    metric_breakdown VARCHAR NOT NULL,
    comparable_group VARCHAR NOT NULL,  -- rows compare only within one group (old | new | fujian | narrative | v2019_table2 | v2021_table2)
    note             VARCHAR NOT NULL
);

-- One row per agency: canonical name, the names it was published under, level, kind, place, years.
-- Counts and years come from current versions only.
CREATE OR REPLACE VIEW agencies AS
WITH named AS (
    SELECT agency_id, agency, count(*) AS n
    FROM reports WHERE agency_id IS NOT NULL GROUP BY agency_id, agency
), latest AS (
    SELECT * FROM reports
    WHERE agency_id IS NOT NULL AND is_current
    QUALIFY row_number() OVER (PARTITION BY agency_id ORDER BY year DESC NULLS LAST, report_id) = 1
)
SELECT
    l.agency_id,
    l.agency_id AS agency_name,
    (SELECT string_agg(n.agency, ';' ORDER BY n.n DESC, n.agency) FROM named AS n
     WHERE n.agency_id = l.agency_id) AS aliases,
    l.agency_level, l.agency_kind, l.is_vertical,
    l.province, l.city, l.county, l.province_code, l.city_code, l.county_code, l.place_code, l.place_status,
    (SELECT min(year) FROM reports AS r WHERE r.agency_id = l.agency_id AND r.is_current) AS first_year,
    (SELECT max(year) FROM reports AS r WHERE r.agency_id = l.agency_id AND r.is_current) AS last_year,
    (SELECT count(*) FROM reports AS r WHERE r.agency_id = l.agency_id AND r.is_current) AS n_reports
FROM latest AS l;

-- One row per agency and year: from the agency's first to its last year (within_span), and the other
-- years of the warehouse in which a peer at the same place published (within_span = false).
-- status: published (one version) | several_versions | missing.
CREATE OR REPLACE VIEW coverage AS
WITH versions AS (
    SELECT agency_id, year, count(*) AS n_versions,
           max(CASE WHEN is_current THEN report_id END) AS current_report_id
    FROM reports WHERE agency_id IS NOT NULL AND year IS NOT NULL
    GROUP BY agency_id, year
), span AS (
    SELECT agency_id, agency_name, place_code, first_year, last_year FROM agencies WHERE first_year IS NOT NULL
), peer_years AS (
    SELECT DISTINCT place_code, year FROM reports
    WHERE is_current AND place_code IS NOT NULL AND year IS NOT NULL
), wanted AS (
    SELECT s.agency_id, y.year, true AS within_span
    FROM span AS s, LATERAL (SELECT unnest(range(s.first_year, s.last_year + 1)) AS year) AS y
    UNION
    SELECT s.agency_id, p.year, false AS within_span
    FROM span AS s JOIN peer_years AS p ON p.place_code = s.place_code
    WHERE p.year NOT BETWEEN s.first_year AND s.last_year
)
SELECT
    w.agency_id, s.agency_name, s.place_code, w.year,
    CASE WHEN v.n_versions IS NULL THEN 'missing'
         WHEN v.n_versions > 1 THEN 'several_versions'
         ELSE 'published' END AS status,
    coalesce(v.n_versions, 0) AS n_versions,
    v.current_report_id,
    w.within_span
FROM wanted AS w
JOIN span AS s USING (agency_id)
LEFT JOIN versions AS v ON v.agency_id = w.agency_id AND v.year = w.year;

-- Harmonised series of current reports (docs/series.md). `comparable_group` says which rows may be
-- compared: never sum or chart across groups without saying so. `scope` says whether the report covers
-- only its own agency (own) or its sub-units too (aggregate): totals sum one scope, never both.
-- Every report's harmonised series values, rebuilt from series_map whenever the warehouse changes (the
-- series view and the dashboard read it instead of joining every fact again).
CREATE TABLE IF NOT EXISTS report_series (
    report_id        VARCHAR NOT NULL,
    series_code      VARCHAR NOT NULL,
    breakdown        VARCHAR NOT NULL,
    comparable_group VARCHAR NOT NULL,
    value            DECIMAL(38, 6)
);

CREATE OR REPLACE VIEW series AS
WITH summed AS (
    SELECT r.report_id, r.agency_id, r.agency, r.year, r.template, r.place_code, r.is_vertical, r.scope,
           h.series_code, h.breakdown, h.comparable_group, h.value
    FROM report_series AS h
    JOIN reports AS r ON r.report_id = h.report_id
    WHERE r.is_current
), rates AS (
    SELECT report_id, agency_id, agency, year, template, place_code, is_vertical, scope,
           series_code || '.correction_rate' AS series_code, '' AS breakdown, comparable_group,
           CAST(max(value) FILTER (breakdown = 'corrected')
                / nullif(max(value) FILTER (breakdown = 'total')
                         - coalesce(max(value) FILTER (breakdown = 'pending'), 0), 0) AS DECIMAL(38, 6)) AS value
    FROM summed
    WHERE series_code IN ('reconsideration', 'litigation')
    GROUP BY ALL
)
SELECT report_id, agency_id, agency AS agency_name, year, template, series_code, breakdown, value,
       comparable_group, scope, place_code, is_vertical
FROM (SELECT * FROM summed UNION ALL SELECT * FROM rates);
