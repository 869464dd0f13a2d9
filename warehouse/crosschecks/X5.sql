-- X5 (warning): several files claim the same agency and year. All versions are kept and one is current;
-- every version gets the finding, naming the current file.
WITH versions AS (
    SELECT report_id, agency_id, year, is_current, source_file,
           count(*) OVER (PARTITION BY agency_id, year) AS n,
           max(CASE WHEN is_current THEN source_file END) OVER (PARTITION BY agency_id, year) AS current_file
    FROM reports WHERE agency_id IS NOT NULL AND year IS NOT NULL
)
SELECT
    report_id, 'X5' AS check_id, 'warning' AS severity,
    CASE WHEN n > 1 THEN 'fail' ELSE 'pass' END AS status,
    CASE WHEN is_current THEN 'current' ELSE 'superseded' END AS breakdown,
    CAST(1 AS DECIMAL(38, 6)) AS expected, CAST(n AS DECIMAL(38, 6)) AS actual,
    CASE WHEN n > 1 THEN format('{} versions of the {} report; current: “{}”', n, year, regexp_extract(current_file, '[^/]+$'))
         ELSE 'one version' END AS message,
    CASE WHEN n > 1 THEN format('{}年报告有{}个版本，当前版本：{}', year, n, regexp_extract(current_file, '[^/]+$'))
         ELSE '只有一个版本' END AS message_zh,
    '' AS cells
FROM versions
