"""Review statuses and corrections: a small SQLite database beside the warehouse versions
(`DIR/review.sqlite3`), overlaid on the values at query time. See docs/review.md."""
