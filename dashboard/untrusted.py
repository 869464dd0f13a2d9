"""Text from the documents (titles, agency names, file names, row labels, messages) on its way to the
screen: shown as the characters it is, never as markup.

Every such string reaches Streamlit through one of these functions, or through a widget that never
interprets its text (a selectbox's or multiselect's options, a dataframe's cells, st.code, st.json):
- `markdown` for st.markdown, st.caption, st.subheader, st.error and every other element that renders
  Markdown. Each ASCII punctuation character becomes a numeric character reference, which Markdown shows
  but never reads as syntax (links, images, emphasis, code, LaTeX `$…$`, Streamlit's `:red[…]` and
  `:material/…:`); and a word joiner (U+2060, invisible) breaks what GFM would turn into a link after
  parsing (`http://`, `www.`, `name@host`).
- `plotly` for chart titles, legend names, axis categories and hover text: plotly reads a subset of HTML
  (`<a href>`, `<b>`, `<br>`) and `$…$` as LaTeX.
"""

from __future__ import annotations

import html
import re

_PUNCTUATION = re.compile(r"[!-/:-@\[-`{-~]")
_AUTOLINK = re.compile(r"(?i)(?<=[a-z])(?=://)|(?<=www)(?=\.)|(?=@)")
JOINER = "\u2060"


def markdown(text: object) -> str:
    """`text` for an element that renders Markdown, shown exactly as written."""
    joined = _AUTOLINK.sub(JOINER, str(text))
    return _PUNCTUATION.sub(lambda found: f"&#{ord(found.group())};", joined)


def plotly(text: object) -> str:
    """`text` for a plotly figure (titles, names, categories, hover text), shown exactly as written."""
    escaped = html.escape(str(text), quote=False)
    return JOINER + escaped if escaped.startswith("$") else escaped
