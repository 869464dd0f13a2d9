"""Build etl/data/divisions.csv and etl/data/division_changes.csv from the jionlp package (Apache-2.0).

Run once by hand when the division data should be refreshed; the runtime reads only the committed CSVs
and needs neither jionlp nor a network:

    python -m venv /tmp/div && /tmp/div/bin/pip install --no-deps jionlp==1.5.31
    /tmp/div/bin/python tools/build_divisions.py

jionlp ships `dictionary/china_location.zip` (province / city / county with 6-digit codes and short
names, townships and villages without codes) and `dictionary/china_location_change.txt` (dated renames
2002-2023). Townships and villages are not kept. `etl/data/division_changes_extra.csv` (project-owned)
adds renames that jionlp's list lacks, such as 即墨市 → 即墨区 (2017).
"""

from __future__ import annotations

import csv
import importlib.util
import io
import zipfile
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "etl" / "data"
LEVELS = ("province", "city", "county")


def _dictionary() -> Path:
    """jionlp's data folder, found without importing jionlp (whose import needs its NLP dependencies)."""
    spec = importlib.util.find_spec("jionlp")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("install jionlp==1.5.31 first (pip install --no-deps jionlp==1.5.31)")
    return Path(next(iter(spec.submodule_search_locations))) / "dictionary"


def _location_lines() -> list[str]:
    data = (_dictionary() / "china_location.zip").read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read("china_location.txt").decode("utf-8").splitlines()


def divisions() -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    parents: list[dict[str, str]] = []
    for line in _location_lines():
        depth = len(line) - len(line.lstrip("\t"))
        if depth > 2:
            continue
        name, code, short = [*line.strip("\t").split("\t"), "", ""][:3]
        if not code:
            continue
        parents = parents[:depth]
        row = {
            "code": code,
            "name": name,
            "short": short,
            "level": LEVELS[depth],
            "parent_code": parents[-1]["code"] if parents else "",
            "province": parents[0]["name"] if parents else name,
            "city": parents[1]["name"] if depth == 2 else (name if depth == 1 else ""),
        }
        parents.append(row)
        rows.append(row)
    return rows


def changes(by_names: dict[tuple[str, ...], str]) -> list[dict[str, str]]:
    text = (_dictionary() / "china_location_change.txt").read_text("utf-8")
    found: list[dict[str, str]] = []
    for line in text.splitlines():
        date, _, *rest = line.split("\t")
        old_part, new_part = "\t".join(rest).split("=>")
        old = old_part.split("\t")
        new = tuple(new_part.split("\t"))
        old_name = old[-2] if len(old) % 2 == 0 else old[-1]
        old_name = old[-2] if len(old) >= 2 and old[-1] and len(old) % 2 == 0 else old_name
        new_code = by_names.get(new, "")
        if not new_code or old_name == new[-1]:
            continue
        found.append(
            {
                "year": date[:4],
                "old_name": old_name,
                "old_code": "",
                "new_name": new[-1],
                "new_code": new_code,
                "source": "jionlp 1.5.31 china_location_change.txt",
            }
        )
    return found


def main() -> None:
    rows = divisions()
    by_names: dict[tuple[str, ...], str] = {}
    for row in rows:
        key = (
            (row["province"],)
            if row["level"] == "province"
            else (
                (row["province"], row["city"])
                if row["level"] == "city"
                else (row["province"], row["city"], row["name"])
            )
        )
        by_names[key] = row["code"]
    OUT.mkdir(parents=True, exist_ok=True)
    with (OUT / "divisions.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    found = changes(by_names)
    with (OUT / "division_changes.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(found[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(found)
    print(f"{len(rows)} divisions, {len(found)} changes written to {OUT}")


if __name__ == "__main__":
    main()
