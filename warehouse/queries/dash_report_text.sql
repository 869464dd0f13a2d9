SELECT text FROM documents WHERE report_id = $report_id
