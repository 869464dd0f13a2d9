-- dash_review_counts when no report has a review status: every selected report is pending (no row when
-- none is selected, as there).
SELECT 'pending' AS review_status, year, count(*) AS reports,
       coalesce(bool_or(place_code IS NULL OR place_status = 'unresolved'), FALSE) AS unplaced
FROM selected
GROUP BY year
ORDER BY year
