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
    CASE WHEN nonzero < 5 THEN format('X4: not assessable, only {} non-zero values in the tables', nonzero)
         WHEN len(others) > 0 THEN format('X4: {}年统计表与{}完全相同 (identical statistics, copy-paste?)', year,
                                          array_to_string(others, '、'))
         ELSE 'X4: no other agency has identical statistics this year' END AS message
FROM twins
