-- Whether any selected report could not be placed: the narrow test dash_unplaced.sql is skipped by
-- (usually none is, and listing them decodes every selected report's file name and agency).
SELECT EXISTS (SELECT 1 FROM selected WHERE place_code IS NULL OR place_status = 'unresolved') AS found
