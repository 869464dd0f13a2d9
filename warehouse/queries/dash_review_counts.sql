-- How many of the selected reports have each review status (pending when never reviewed), per year
-- (the review listing's newest years: dashboard_queries.listing_floor); `unplaced`: whether one of them
-- could not be placed (dash_unplaced_any.sql's test, read in the same scan).
SELECT coalesce(rv.status, 'pending') AS review_status, s.year, count(*) AS reports,
       coalesce(bool_or(s.place_code IS NULL OR s.place_status = 'unresolved'), FALSE) AS unplaced
FROM selected AS s
LEFT JOIN review_status AS rv ON rv.report_id = s.report_id
GROUP BY ALL
ORDER BY review_status, s.year
