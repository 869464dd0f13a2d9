-- X2 (warning): v2021 现行有效件数 of year Y = 现行有效件数 of Y-1 + 本年制发件数 − 本年废止件数 of Y, for
-- 行政规范性文件 and 规章, same agency, current versions, both years v2021.
WITH cur AS (
    SELECT report_id, agency_id, year FROM reports
    WHERE is_current AND template = 'v2021' AND agency_id IS NOT NULL AND year IS NOT NULL
), kinds AS (
    SELECT unnest(['normative_docs', 'regulations']) AS kind
), cell AS (
    SELECT report_id, metric_code, coalesce(value, 0) AS value FROM facts WHERE metric_code LIKE 'v2021.%'
), terms AS (
    SELECT c.report_id, c.year, p.year AS prev_year, k.kind,
           prev.value AS prev_in_force, issued.value AS issued, repealed.value AS repealed, now.value AS in_force
    FROM cur AS c
    JOIN cur AS p ON p.agency_id = c.agency_id AND p.year = c.year - 1
    CROSS JOIN kinds AS k
    LEFT JOIN cell AS prev ON prev.report_id = p.report_id AND prev.metric_code = 'v2021.' || k.kind || '.in_force'
    LEFT JOIN cell AS issued ON issued.report_id = c.report_id AND issued.metric_code = 'v2021.' || k.kind || '.issued'
    LEFT JOIN cell AS repealed ON repealed.report_id = c.report_id AND repealed.metric_code = 'v2021.' || k.kind || '.repealed'
    LEFT JOIN cell AS now ON now.report_id = c.report_id AND now.metric_code = 'v2021.' || k.kind || '.in_force'
)
SELECT
    report_id, 'X2' AS check_id, 'warning' AS severity,
    CASE WHEN prev_in_force IS NULL OR issued IS NULL OR repealed IS NULL OR in_force IS NULL THEN 'not_assessable'
         WHEN prev_in_force + issued - repealed = in_force THEN 'pass' ELSE 'fail' END AS status,
    kind AS breakdown,
    prev_in_force + issued - repealed AS expected, in_force AS actual,
    CASE WHEN prev_in_force IS NULL OR issued IS NULL OR repealed IS NULL OR in_force IS NULL
         THEN format('not assessable: a cell of table 二 is missing in {} or {}', prev_year, year)
         ELSE format('in force in {} {} + issued {} − repealed {} in {} = {}; printed in force {}', prev_year,
                     CAST(prev_in_force AS BIGINT), CAST(issued AS BIGINT), CAST(repealed AS BIGINT), year,
                     CAST(prev_in_force + issued - repealed AS BIGINT), CAST(in_force AS BIGINT))
    END AS message,
    CASE WHEN prev_in_force IS NULL OR issued IS NULL OR repealed IS NULL OR in_force IS NULL
         THEN format('无法判断：{}年或{}年报告缺少表二的单元格', prev_year, year)
         ELSE format('{}年现行有效{} + {}年本年制发{} − 本年废止{} = {}，本年报告现行有效件数为{}', prev_year,
                     CAST(prev_in_force AS BIGINT), year, CAST(issued AS BIGINT), CAST(repealed AS BIGINT),
                     CAST(prev_in_force + issued - repealed AS BIGINT), CAST(in_force AS BIGINT))
    END AS message_zh,
    format('v2021.{0}.in_force|;v2021.{0}.issued|;v2021.{0}.repealed|', kind) AS cells
FROM terms
