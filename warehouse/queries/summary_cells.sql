-- Every official cell summed over the chosen reports, exactly (DECIMAL sums). Numbers and explicit zeros
-- add up; blank and not-applicable cells ('', '-', '/', '无') count as blanks; any other printed text is
-- unreadable; `printed` counts the reports that have the cell at all.
WITH chosen AS (
    SELECT unnest($reports) AS report_id
), cells AS (
    SELECT unnest($codes) AS metric_code, unnest($breakdowns) AS breakdown, unnest(range(len($codes))) AS position
), printed AS (
    SELECT f.* FROM facts AS f JOIN chosen USING (report_id)
)
SELECT c.metric_code, c.breakdown,
       sum(p.value) FILTER (WHERE p.semantic IN ('number', 'zero') AND p.value IS NOT NULL) AS total,
       count(*) FILTER (WHERE p.semantic IN ('number', 'zero') AND p.value IS NOT NULL) AS numbers,
       count(*) FILTER (WHERE p.semantic IN ('blank', 'na')) AS blanks,
       count(p.report_id) AS printed,
       list(p.report_id ORDER BY p.report_id) FILTER (
           WHERE p.semantic NOT IN ('blank', 'na') AND NOT (p.semantic IN ('number', 'zero') AND p.value IS NOT NULL)
       ) AS unreadable,
       list(p.report_id ORDER BY p.report_id) FILTER (
           WHERE p.semantic IN ('number', 'zero') AND p.value IS NOT NULL AND p.confidence <> 'exact'
       ) AS inferred
FROM cells AS c
LEFT JOIN printed AS p ON p.metric_code = c.metric_code AND p.breakdown = c.breakdown
GROUP BY c.metric_code, c.breakdown, c.position
ORDER BY c.position
