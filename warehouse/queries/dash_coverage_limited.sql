-- The coverage grid (dash_coverage_grid, as `grid`) of at most $limit agencies: those with gaps or several
-- versions first, then by name; `agencies` says how many the whole grid holds.
, ranked AS (
    SELECT agency_id, count(*) OVER () AS agencies
    FROM (SELECT agency_id, any_value(agency_name) AS agency_name,
                 bool_or(status IN ('missing', 'several_versions')) AS flagged
          FROM grid GROUP BY agency_id)
    ORDER BY flagged DESC, agency_name, agency_id
    LIMIT $limit
)
SELECT g.*, r.agencies FROM grid AS g JOIN ranked AS r USING (agency_id)
ORDER BY g.agency_name, g.year
