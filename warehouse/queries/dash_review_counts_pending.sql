-- dash_review_counts when no report has a review status: every selected report is pending (no row when
-- none is selected, as there).
SELECT 'pending' AS review_status, count(*) AS reports
FROM selected
HAVING count(*) > 0
