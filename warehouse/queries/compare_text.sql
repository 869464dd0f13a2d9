-- The text of some reports as read (paragraphs as lines, table rows as tab-separated cells).
SELECT d.report_id, d.text FROM documents AS d WHERE d.report_id IN ($report_list)
