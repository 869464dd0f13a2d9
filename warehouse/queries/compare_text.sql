-- The text of some reports as read (paragraphs as lines, table rows as tab-separated cells).
SELECT d.report_id, d.text FROM documents AS d WHERE list_contains($reports, d.report_id)
