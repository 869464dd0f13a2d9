"""Documents the office produces from the warehouse: the summary (汇总) in the official layout and the
year-over-year comparison of one unit. Queries read the warehouse; writers are pure functions of the
assembled records."""
