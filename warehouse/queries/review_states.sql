-- Every active correction's state in this version (review relations: warehouse/review/overlay.py):
--   applied        its report is the current version and still reads the value it corrected;
--   needs_review   a new version replaced its report (same agency and year, or the same file with new
--                  content), its report is gone, or the file now reads differently there;
--   carried        a reviewer applied it to the version that replaced its report;
--   dismissed      a reviewer decided the version that replaced its report does not need it.
WITH replacement AS (
    SELECT c.id, cur.report_id AS current_report_id, cur.source_file AS current_file
    FROM review_corrections AS c
    LEFT JOIN main.reports AS own ON own.report_id = c.report_id
    JOIN main.reports AS cur
      ON cur.is_current AND cur.report_id <> c.report_id
     AND ((cur.agency_id = coalesce(own.agency_id, c.agency_id) AND cur.year = coalesce(own.year, c.year))
          OR cur.source_file = c.source_file)
    WHERE own.report_id IS NULL OR NOT own.is_current
    QUALIFY row_number() OVER (PARTITION BY c.id ORDER BY cur.report_id) = 1
), judged AS (
    SELECT c.id, c.report_id, c.metric_code, c.breakdown, c.value, c.original_value, c.kind, c.reason,
           c.agency, c.year, c.source_file, c.created_by, c.created_at,
           r.report_id IS NOT NULL AS report_present,
           f.value AS value_now,
           f.report_id IS NOT NULL
               AND f.value IS NOT DISTINCT FROM CAST(c.original_value AS DECIMAL(38, 6)) AS reads_as_before,
           p.current_report_id, p.current_file, k.decision,
           nf.value AS current_value, nf.value_raw AS current_raw
    FROM review_corrections AS c
    LEFT JOIN main.reports AS r ON r.report_id = c.report_id
    LEFT JOIN main.facts AS f
      ON f.report_id = c.report_id AND f.metric_code = c.metric_code AND f.breakdown = c.breakdown
    LEFT JOIN replacement AS p ON p.id = c.id
    LEFT JOIN review_carried AS k ON k.correction_id = c.id AND k.report_id = p.current_report_id
    LEFT JOIN main.facts AS nf
      ON nf.report_id = p.current_report_id AND nf.metric_code = c.metric_code AND nf.breakdown = c.breakdown
)
SELECT *,
       CASE WHEN report_present AND NOT reads_as_before THEN 'needs_review'
            WHEN current_report_id IS NULL AND report_present THEN 'applied'
            WHEN decision IS NOT NULL THEN decision
            ELSE 'needs_review' END AS state,
       CASE WHEN report_present AND NOT reads_as_before THEN 'value_changed'
            WHEN current_report_id IS NULL AND report_present THEN ''
            WHEN current_report_id IS NULL THEN 'report_gone'
            ELSE 'replaced' END AS why
FROM judged
ORDER BY id
