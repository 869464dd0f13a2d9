-- The metric codes that make up the given harmonised series (warehouse/series_map.csv).
SELECT DISTINCT metric_code FROM series_map WHERE list_contains($series, series_code) ORDER BY 1
