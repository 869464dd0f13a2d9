-- Sums per year of the given metrics over the selected reports; blanks are counted, never summed as 0.
-- A report holds at most one fact per metric and breakdown, so count(*) counts reports.
SELECT s.year, s.template, f.metric_code, f.breakdown,
       sum(f.value) AS value,
       count(f.value) AS reports_with_value,
       count(*) FILTER (WHERE f.semantic = 'blank') AS reports_blank,
       count(*) AS reports
FROM selected AS s
JOIN facts AS f ON f.report_id = s.report_id
WHERE list_contains($codes, f.metric_code) AND list_contains($breakdowns, f.breakdown)
GROUP BY ALL
ORDER BY s.year, f.metric_code, f.breakdown, s.template
