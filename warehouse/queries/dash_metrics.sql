SELECT code, label_zh, label_en, unit, section, templates FROM metrics ORDER BY code
