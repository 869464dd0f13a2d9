-- dash_coverage_limited over `agg_agencies` (warehouse/store/rollups.py): composed as `WITH candidates AS (the
-- agency rows that pass the filter's other columns, with `picked`: the mask of the years of their reports of
-- the filter's templates and scope) <this file>`, $years the mask of $year_from..$year_to. An agency with a
-- report picked (any year) is in the grid when a year of its coverage rows (`covered`) is in the range,
-- flagged when a year the grid flags (`flagged`: missing within its span, several versions) is; then the rows
-- of the $limit agencies kept are read from `agg_coverage` alone. `odd` (a coverage year past the masks, or
-- a candidate's report the masks cannot hold): the caller reads the whole grid instead.
, chosen AS (
    SELECT agency_id, cover_name AS agency_name, covered, flagged, odd_coverage OR odd_years AS odd
    FROM candidates
    WHERE (picked <> 0 OR odd_years) AND n_rows = 1
    UNION ALL
    SELECT agency_id, any_value(cover_name), any_value(covered), any_value(flagged),
           bool_or(odd_coverage OR odd_years)
    FROM candidates
    WHERE (picked <> 0 OR odd_years) AND n_rows > 1
    GROUP BY agency_id
), ranked AS (
    SELECT agency_id, count(*) OVER () AS agencies, bool_or(odd) OVER () AS odd
    FROM chosen
    WHERE (covered & CAST($years AS UBIGINT)) <> 0 OR odd
    ORDER BY (flagged & CAST($years AS UBIGINT)) <> 0 DESC, agency_name, agency_id
    LIMIT $limit
)
SELECT c.agency_id, c.agency_name, c.place_code, c.year,
       CASE WHEN c.status = 'missing' AND NOT c.within_span THEN 'outside' ELSE c.status END AS status,
       c.n_versions, c.current_report_id, r.agencies, r.odd
FROM agg_coverage AS c JOIN ranked AS r USING (agency_id)
WHERE c.year BETWEEN $year_from AND $year_to
ORDER BY c.agency_name, c.year
