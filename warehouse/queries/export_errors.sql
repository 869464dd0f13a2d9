-- Inputs that did not load, with the one-line reason.
SELECT source_file, kind, reason, content_hash, recorded_at
FROM ingest_errors
ORDER BY source_file
