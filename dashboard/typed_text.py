"""Text people typed (reviewers' names, reasons, URLs) or a job's message, for an element that renders
Markdown (st.caption, st.error, st.warning…): shown exactly as written, never as markup. The same rule as
issue 10's escaping of document text: punctuation becomes numeric character references, and a word
joiner breaks what GFM would autolink (`http://`, `www.`, `name@host`)."""

from __future__ import annotations

import re

_PUNCTUATION = re.compile(r"[!-/:-@\[-`{-~]")
_AUTOLINK = re.compile(r"(?i)(?<=[a-z])(?=://)|(?<=www)(?=\.)|(?=@)")


def md(text: object) -> str:
    joined = _AUTOLINK.sub("\u2060", str(text))
    return _PUNCTUATION.sub(lambda found: f"&#{ord(found.group())};", joined)
