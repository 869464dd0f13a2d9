-- dash_check_summary over the check cube (warehouse/store/rollups.py): the same rows and numbers.
SELECT check_id, severity,
       CAST(sum(n_fail) AS BIGINT) AS failed,
       CAST(sum(n_pass) AS BIGINT) AS passed,
       CAST(sum(n_na) AS BIGINT) AS not_assessable,
       CAST(sum(n_reports_failing) AS BIGINT) AS reports_failing
FROM cube
GROUP BY ALL
ORDER BY failed DESC, check_id
