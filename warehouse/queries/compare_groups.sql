-- Which comparable group the series map gives each metric code in each template.
SELECT DISTINCT template, metric_code, comparable_group FROM series_map ORDER BY ALL
