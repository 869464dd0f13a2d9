-- The range of every filter: years, templates, agency levels and kinds present in current reports.
SELECT min(year) AS year_min, max(year) AS year_max,
       list(DISTINCT template ORDER BY template) AS templates,
       list(DISTINCT agency_level ORDER BY agency_level) FILTER (WHERE agency_level IS NOT NULL) AS levels,
       list(DISTINCT agency_kind ORDER BY agency_kind) FILTER (WHERE agency_kind IS NOT NULL) AS kinds,
       count(*) FILTER (WHERE scope = 'aggregate') AS aggregate_reports,
       count(*) AS reports
FROM reports
WHERE is_current
