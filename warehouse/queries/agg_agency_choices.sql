-- dash_agency_choices over `agg_agencies` (warehouse/store/rollups.py): composed as `WITH candidates AS (the
-- agency rows that pass the filter's other columns, with `picked`: the mask of the years of their reports of
-- the filter's templates and scope) <this file>`, $years the mask of the filter's years. A row is selected
-- when a bit of `picked` is in $years; an agency of one row (`n_rows`, the usual case) is listed as it is,
-- one of several takes the name of the row with the latest selected year (its highest bit; bit 63, a
-- report without a year, has none), as dash_agency_choices' `arg_max(agency, year)` over the reports.
-- `odd` (a candidate with a year or template the masks cannot hold, counted before the text and the limit):
-- the caller reads the reports instead.
, hits AS MATERIALIZED (
    SELECT agency_id, agency, n_rows, picked & CAST($years AS UBIGINT) AS hit, odd_years FROM candidates
    WHERE (picked & CAST($years AS UBIGINT)) <> 0 OR odd_years
), tops AS (
    SELECT agency_id, agency, odd_years, dated,
           CASE WHEN dated <> 0 THEN floor(log2(dated::DOUBLE))::UBIGINT END AS rounded
    FROM (SELECT *, hit & ~(1::UBIGINT << 63::UBIGINT) AS dated FROM hits WHERE n_rows > 1)
), listed AS (
    SELECT agency_id, agency, odd_years AS odd FROM hits WHERE n_rows = 1
    UNION ALL
    -- log2 of the mask as a double may round up to the next power of two: one bit lower then.
    SELECT agency_id, arg_max(agency, CASE WHEN (dated >> rounded) = 0 THEN rounded - 1 ELSE rounded END),
           bool_or(odd_years)
    FROM tops
    GROUP BY agency_id
), checked AS (
    SELECT agency_id, agency, bool_or(odd) OVER () AS odd FROM listed
)
SELECT agency_id, agency, count(*) OVER () AS matching, odd
FROM checked
WHERE $text = '' OR contains(lower(agency), lower($text)) OR contains(lower(agency_id), lower($text))
ORDER BY agency, agency_id
LIMIT $limit
