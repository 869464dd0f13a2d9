-- X4 (warning): two different agencies whose statistics tables hold exactly the same values in the same
-- year (copy-paste). Tables with fewer than 5 non-zero values are not assessable: small units often
-- report all zeros, and equal zeros prove nothing.
WITH cur AS (
    SELECT report_id, agency_id, agency, year FROM reports
    WHERE is_current AND agency_id IS NOT NULL AND year IS NOT NULL
), prints AS (
    SELECT p.report_id, p.fingerprint, p.nonzero FROM report_prints AS p JOIN cur USING (report_id)
), twins AS (
    SELECT c.report_id, c.year, p.nonzero,
           list(DISTINCT o.agency ORDER BY o.agency) FILTER (o.agency_id IS NOT NULL AND o.agency_id <> c.agency_id) AS others
    FROM cur AS c
    JOIN prints AS p USING (report_id)
    LEFT JOIN prints AS q ON q.fingerprint = p.fingerprint AND q.report_id <> p.report_id
    LEFT JOIN cur AS o ON o.report_id = q.report_id AND o.year = c.year
    GROUP BY ALL
)
SELECT
    report_id, 'X4' AS check_id, 'warning' AS severity,
    CASE WHEN nonzero < 5 THEN 'not_assessable' WHEN len(others) > 0 THEN 'fail' ELSE 'pass' END AS status,
    '' AS breakdown, CAST(NULL AS DECIMAL(38, 6)) AS expected, CAST(NULL AS DECIMAL(38, 6)) AS actual,
    CASE WHEN nonzero < 5 THEN format('not assessable: only {} non-zero values in the tables', nonzero)
         WHEN len(others) > 0 THEN format('the {} tables are identical to those of “{}” (copied?)', year,
                                          array_to_string(others, '”, “'))
         ELSE 'no other agency printed identical tables this year' END AS message,
    CASE WHEN nonzero < 5 THEN format('无法判断：统计表中只有{}个非零数值', nonzero)
         WHEN len(others) > 0 THEN format('{}年统计表与{}完全相同（疑似照抄）', year, array_to_string(others, '、'))
         ELSE '同一年度没有其他机关的统计表与之完全相同' END AS message_zh,
    '' AS cells
FROM twins
