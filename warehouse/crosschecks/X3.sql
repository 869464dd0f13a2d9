-- X3 (warning): a year without a report between two years with one, same agency. The finding is stored
-- on the report that follows the gap; `breakdown` names the missing year(s).
WITH cur AS (
    SELECT report_id, agency_id, year,
           lag(year) OVER (PARTITION BY agency_id ORDER BY year) AS prev_year
    FROM reports WHERE is_current AND agency_id IS NOT NULL AND year IS NOT NULL
)
SELECT
    report_id, 'X3' AS check_id, 'warning' AS severity,
    CASE WHEN year - prev_year <= 1 THEN 'pass' ELSE 'fail' END AS status,
    CASE WHEN year - prev_year = 2 THEN CAST(year - 1 AS VARCHAR)
         WHEN year - prev_year > 2 THEN format('{}-{}', prev_year + 1, year - 1) ELSE '' END AS breakdown,
    CAST(NULL AS DECIMAL(38, 6)) AS expected, CAST(NULL AS DECIMAL(38, 6)) AS actual,
    CASE WHEN year - prev_year <= 1 THEN format('reports for {} and {}', prev_year, year)
         WHEN year - prev_year = 2 THEN format('no report for {} (reports for {} and {})', year - 1, prev_year, year)
         ELSE format('no reports for {}–{} (reports for {} and {})', prev_year + 1, year - 1, prev_year, year)
    END AS message,
    CASE WHEN year - prev_year <= 1 THEN format('{}年和{}年均有报告', prev_year, year)
         WHEN year - prev_year = 2 THEN format('缺少{}年报告（{}年和{}年均有报告）', year - 1, prev_year, year)
         ELSE format('缺少{}—{}年报告（{}年和{}年均有报告）', prev_year + 1, year - 1, prev_year, year)
    END AS message_zh,
    '' AS cells
FROM cur
WHERE prev_year IS NOT NULL
