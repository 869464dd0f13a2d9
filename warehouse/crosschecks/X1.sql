-- X1 (warning): req.carried_in[total] of year Y = req.carried_out[total] of year Y-1, same agency,
-- current versions. A blank cell counts as 0 and the message says so.
WITH cur AS (
    SELECT report_id, agency_id, year FROM reports
    WHERE is_current AND agency_id IS NOT NULL AND year IS NOT NULL
), carried AS (
    SELECT report_id, metric_code, coalesce(value, 0) AS value, value IS NULL AS blank
    FROM facts WHERE breakdown = 'total' AND metric_code IN ('req.carried_in', 'req.carried_out')
)
SELECT
    c.report_id, 'X1' AS check_id, 'warning' AS severity,
    CASE WHEN i.value IS NULL OR o.value IS NULL THEN 'not_assessable'
         WHEN i.value = o.value THEN 'pass' ELSE 'fail' END AS status,
    'total' AS breakdown, o.value AS expected, i.value AS actual,
    CASE WHEN i.value IS NULL OR o.value IS NULL
         THEN format('not assessable: the {} report has no "carried in" row or the {} report no "carried over" row', c.year, p.year)
         ELSE format('{} carried in {}; {} carried over {}{}', c.year, CAST(i.value AS BIGINT), p.year,
                     CAST(o.value AS BIGINT), CASE WHEN i.blank OR o.blank THEN ' (blank cells counted as 0)' ELSE '' END)
    END AS message,
    CASE WHEN i.value IS NULL OR o.value IS NULL
         THEN format('无法判断：{}年报告无“上年结转”或{}年报告无“结转下年度继续办理”', c.year, p.year)
         ELSE format('{}年“上年结转”为{}，{}年“结转下年度继续办理”为{}{}', c.year, CAST(i.value AS BIGINT), p.year,
                     CAST(o.value AS BIGINT), CASE WHEN i.blank OR o.blank THEN '（空白单元格按0计）' ELSE '' END)
    END AS message_zh,
    'req.carried_in|total' AS cells
FROM cur AS c
JOIN cur AS p ON p.agency_id = c.agency_id AND p.year = c.year - 1
LEFT JOIN carried AS i ON i.report_id = c.report_id AND i.metric_code = 'req.carried_in'
LEFT JOIN carried AS o ON o.report_id = p.report_id AND o.metric_code = 'req.carried_out'
WHERE i.report_id IS NOT NULL OR o.report_id IS NOT NULL
