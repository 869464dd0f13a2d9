"""`xxgk corrections import|export` and `xxgk users add|list|remove` as users run them."""

from __future__ import annotations

import csv
import io
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.review_helpers import NAMES, build, report_of
from warehouse.review import store
from warehouse.review.ledger import load_snapshot
from warehouse.review.users import verify
from xxgk.cli import cli

V2021, V2019, OLD = NAMES
pytestmark = pytest.mark.slow  # each test builds a warehouse
HEADER = "source_file,metric_code,breakdown,value,reason\n"


@pytest.fixture
def directory(tmp_path: Path) -> Path:
    return build(tmp_path)[1]


def run(*args: str, input: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), input=input)
    return result.exit_code, result.stdout, result.stderr


def test_import_applies_good_lines_and_names_each_bad_one(directory: Path, tmp_path: Path) -> None:
    report = report_of(directory, V2021)
    source = tmp_path / "corrections.csv"
    source.write_text(
        HEADER
        + f"{V2021},req.received,total,15,来函确认\n"
        + "nowhere.txt,req.received,total,1,x\n"
        + f"{V2021},req.bogus,total,1,x\n"
        + f"{V2021},req.received,nobody,1,x\n"
        + f"{V2021},req.received,natural_person,abc,x\n"
        + f"{V2021},req.received,commercial,3,\n",
        encoding="utf-8",
    )
    code, out, err = run("corrections", "import", str(source), "--warehouse", str(directory), "--user", "甲")
    assert code == 1
    assert err.splitlines() == [
        "corrections.csv line 3: no report was loaded from nowhere.txt",
        "corrections.csv line 4: unknown metric_code 'req.bogus'",
        "corrections.csv line 5: breakdown 'nobody' is not one of req.received's (natural_person, commercial, "
        "research, social_org, legal_service, other_org, legal_subtotal, total)",
        "corrections.csv line 6: value 'abc' is not a number",
        "corrections.csv line 7: reason is empty",
    ]
    assert out.strip() == "corrections: 1 added, 0 replaced, 0 unchanged, 5 failed"
    active = load_snapshot(directory).active()
    assert [(c.report_id, c.metric_code, c.breakdown, c.value, c.created_by) for c in active] == [
        (report, "req.received", "total", "15", "甲")
    ]
    code, out, _ = run("corrections", "import", str(source), "--warehouse", str(directory))
    assert out.strip() == "corrections: 0 added, 0 replaced, 1 unchanged, 5 failed"


def test_report_id_instead_of_source_file_and_excel_gbk_files(directory: Path, tmp_path: Path) -> None:
    report = report_of(directory, V2019)
    source = tmp_path / "excel.csv"
    text = f"report_id,metric_code,breakdown,value,reason,kind\n{report},req.received,total,9,单位来函,agency_error\n"
    source.write_bytes(text.encode("gb18030"))
    code, out, err = run("corrections", "import", str(source), "--warehouse", str(directory), "--user", "乙")
    assert (code, err) == (0, "")
    assert out.strip() == "corrections: 1 added, 0 replaced, 0 unchanged, 0 failed"
    (made,) = load_snapshot(directory).active()
    assert (made.kind, made.reason) == ("agency_error", "单位来函")


def test_a_file_without_the_columns_is_a_usage_error(directory: Path, tmp_path: Path) -> None:
    source = tmp_path / "bad.csv"
    source.write_text("file,code\nx,y\n", encoding="utf-8")
    code, _, err = run("corrections", "import", str(source), "--warehouse", str(directory))
    assert code == 2
    assert "missing column(s) metric_code, breakdown, value, reason, source_file" in err


def test_export_round_trips_and_keeps_the_history(directory: Path, tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text(
        HEADER + f"{V2021},req.received,total,15,来函确认\n{V2021},req.received,total,16,再次确认\n",
        encoding="utf-8",
    )
    assert run("corrections", "import", str(source), "--warehouse", str(directory))[0] == 0
    code, out, _ = run("corrections", "export", "--warehouse", str(directory))
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["value"], r["state"], r["original_value"]) for r in rows] == [("16", "applied", "1")]
    assert list(rows[0])[:5] == ["source_file", "metric_code", "breakdown", "value", "reason"]
    out_file = tmp_path / "all.csv"
    code, _, err = run(
        "corrections", "export", "--warehouse", str(directory), "--all", "--out", str(out_file)
    )
    assert code == 0 and "wrote 2 corrections" in err
    raw = out_file.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads the BOM as UTF-8
    history = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [(r["value"], r["state"]) for r in history] == [("15", "withdrawn"), ("16", "applied")]
    again = run("corrections", "import", str(out_file), "--warehouse", str(directory))
    assert again[0] == 0 and "0 added, 0 replaced, 1 unchanged, 0 failed" in again[1]


def test_users_add_list_remove(directory: Path) -> None:
    code, out, _ = run("users", "list", "--warehouse", str(directory))
    assert code == 0 and "no editors" in out
    code, out, _ = run(
        "users", "add", "zhang", "--warehouse", str(directory), input="s3cret-pass\ns3cret-pass\n"
    )
    assert code == 0 and "added editor zhang" in out
    assert verify(directory, "zhang", "s3cret-pass")
    assert not verify(directory, "zhang", "wrong-pass")
    assert not verify(directory, "nobody", "s3cret-pass")
    with sqlite3.connect(store.database(directory)) as db:
        (secret,) = db.execute("SELECT secret FROM editors").fetchone()
    assert secret.startswith("scrypt$") and "s3cret-pass" not in secret
    code, out, _ = run("users", "list", "--warehouse", str(directory))
    assert out.split("\t")[0] == "zhang"
    code, _, err = run("users", "add", "li", "--warehouse", str(directory), input="short\nshort\n")
    assert code == 2 and "at least 8 characters" in err
    assert run("users", "remove", "zhang", "--warehouse", str(directory))[0] == 0
    code, _, err = run("users", "remove", "zhang", "--warehouse", str(directory))
    assert code == 2 and "there is no editor zhang" in err
