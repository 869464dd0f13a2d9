"""Deterministic sample reports with the true value of every cell, for tests, the demo and benchmarks.

`generate_corpus(out_dir)` writes reports of real agencies (浙江省, 衢州市 and its counties first) with
invented numbers, each marked 【示例数据】 in its body (and `<meta name="xxgk-sample">` in HTML). Beside
every document lies `<file name>.truth.json` (UTF-8, indent 1, sorted keys):

- `expect`: "loaded", "rejected" (not a report) or "error" (unreadable, unsupported, cut off);
- `agency`, `year`, `template` ("old" | "v2019" | "v2021", the table the document really prints),
  `format` ("html" | "txt"), `encoding` ("utf-8" | "utf-8-sig" | "gb18030"), `province`, `city`,
  `county` (None for city-level agencies), `vertical`, `title` (None when the document prints none),
  `published`, `version_of` (the original's file name for a "（更正版）" copy);
- `planted_faults`: the error-level identities of shared/spec/checks.md that fail (N1-N4, O1, O2, O6-O8),
  narrative/table disagreements (T1, T2) and format and deadline faults (docs/checks.md: F1 a section left
  out, F2 two sections swapped, F4 no 统计期限 sentence, F5 no signature, F6 published after the deadline),
  empty for clean reports;
- `quirks`: the layout and value quirks the document carries (`quirks.ALL_QUIRKS`, `quirks.BAD_QUIRKS`);
- `facts`: one per template cell printed, blank ones included, plus `text.*` figures the narrative states
  plainly. `value` is a plain decimal string in the catalogue's unit (money in 元) or None for blank and
  not-applicable cells; `value_raw` is the printed text without surrounding spaces; a narrative zero
  stated in words ("未收到政府信息公开申请") has that phrase as its `value_raw`.

`manifest.json` lists every file with its `expect`, the planted gaps (agency-years without a report) and
the corrected versions. The same seed gives the same bytes.
"""

from xxgk.samples.corpus import SampleDoc, generate_corpus

__all__ = ["SampleDoc", "generate_corpus"]
