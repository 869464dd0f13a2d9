-- How many of the selected reports have each review status (pending when never reviewed).
SELECT coalesce(rv.status, 'pending') AS review_status, count(*) AS reports
FROM selected AS s
LEFT JOIN review_status AS rv ON rv.report_id = s.report_id
GROUP BY ALL
ORDER BY review_status
