-- The cells the failed checks of some reports read, as their documents print them.
WITH wanted AS (
    SELECT DISTINCT c.report_id, split_part(cell, '|', 1) AS metric_code, split_part(cell, '|', 2) AS breakdown
    FROM checks AS c, unnest(string_split(c.cells, ';')) AS listed(cell)
    WHERE c.report_id IN ($report_list) AND c.status = 'fail' AND coalesce(c.cells, '') <> ''
)
SELECT f.report_id, f.metric_code, f.breakdown, f.row_label, f.column_label, f.page, f.value_raw
FROM facts AS f
JOIN wanted USING (report_id, metric_code, breakdown)
WHERE f.report_id IN ($report_list)
