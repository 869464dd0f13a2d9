-- dash_agency_choices over `agg_agencies` (warehouse/store/rollups.py): composed as `WITH candidates AS (the
-- agency rows that pass the filter's other columns, with `picked`: the mask of the years of their reports of
-- the filter's templates and scope) <this file>`, $years the mask of the filter's years. A row is selected
-- when a bit of `picked` is in $years. An agency of one row (`n_rows`, the usual case) is listed as it is,
-- without a group-by (it cost more than the rest of the query); one of several (its name, place, level or
-- kind changed) takes the name of the row whose latest selected year is latest: of the rows' masks of
-- selected years (without bit 63, a report without a year: NULL when that is all), the largest has the
-- highest bit — as dash_agency_choices' `arg_max(agency, year)` over the reports, which leaves out reports
-- without a year. `odd` (a candidate with a year or template the masks cannot hold, counted before the text
-- and the limit): the caller reads the reports instead.
, hits AS MATERIALIZED (
    SELECT agency_id, agency, n_rows, odd_years,
           picked & CAST($years AS UBIGINT) & ~(1::UBIGINT << 63::UBIGINT) AS dated
    FROM candidates
    WHERE (picked & CAST($years AS UBIGINT)) <> 0 OR odd_years
), listed AS (
    SELECT agency_id, agency, odd_years AS odd FROM hits WHERE n_rows = 1
    UNION ALL
    SELECT agency_id, arg_max(agency, CASE WHEN dated <> 0 THEN dated END), bool_or(odd_years)
    FROM hits
    WHERE n_rows > 1
    GROUP BY agency_id
), checked AS (
    SELECT agency_id, agency, bool_or(odd) OVER () AS odd FROM listed
)
SELECT agency_id, agency, count(*) OVER () AS matching, odd
FROM checked
WHERE $text = '' OR contains(lower(agency), lower($text)) OR contains(lower(agency_id), lower($text))
ORDER BY agency, agency_id
LIMIT $limit
