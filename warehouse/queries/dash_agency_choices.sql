-- A picker's agencies: those of the selected reports whose name (as last published) or id contains $text
-- (every one when it is blank), in dash_agencies' order, at most $limit, with how many match in all.
SELECT agency_id, agency, count(*) OVER () AS matching
FROM (
    SELECT agency_id, arg_max(agency, year) AS agency
    FROM selected
    WHERE agency_id IS NOT NULL
    GROUP BY agency_id
) AS listed
WHERE $text = '' OR contains(lower(agency), lower($text)) OR contains(lower(agency_id), lower($text))
ORDER BY agency, agency_id
LIMIT $limit
