-- Which chosen report has no fact at all for an official cell (a row it left out or the reader could not
-- place). Only the pairs that are missing are returned.
WITH chosen AS (
    SELECT unnest($reports) AS report_id
), cells AS (
    SELECT unnest($codes) AS metric_code, unnest($breakdowns) AS breakdown
)
SELECT c.metric_code, c.breakdown, ch.report_id
FROM cells AS c CROSS JOIN chosen AS ch
ANTI JOIN facts AS f
    ON f.report_id = ch.report_id AND f.metric_code = c.metric_code AND f.breakdown = c.breakdown
ORDER BY c.metric_code, c.breakdown, ch.report_id
