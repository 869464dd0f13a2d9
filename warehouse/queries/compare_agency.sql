-- The agencies a name given on the command line can mean: its id, a name it published under, or, when
-- neither matches, every agency whose id or names contain it.
WITH named AS (
    SELECT DISTINCT agency_id, agency FROM reports WHERE agency_id IS NOT NULL
), exact AS (
    SELECT DISTINCT agency_id FROM named WHERE agency_id = $name OR agency = $name
)
SELECT DISTINCT n.agency_id
FROM named AS n
WHERE n.agency_id IN (SELECT agency_id FROM exact)
   OR (NOT EXISTS (SELECT 1 FROM exact) AND (contains(n.agency_id, $name) OR contains(n.agency, $name)))
ORDER BY n.agency_id
