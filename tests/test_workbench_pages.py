"""The workbench's flows with AppTest over a real warehouse: import, review status, corrections, the
quality filter, and who may change things."""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboard import components
from tests.review_helpers import FIXTURES, NAMES, build, query, report_of
from warehouse.review.ledger import history, load_snapshot, set_status
from warehouse.review.users import add_editor

pytestmark = pytest.mark.slow

APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"
V2021, V2019, OLD = NAMES


@pytest.fixture
def directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    _, built = build(tmp_path)
    monkeypatch.setenv("XXGK_WAREHOUSE", str(built))
    yield built


@pytest.fixture
def address() -> Iterator[object]:
    """The address the server listens on (what decides who may edit); restored afterwards."""
    before = st.get_option("server.address")
    st.config.set_option("server.address", "127.0.0.1")
    yield st.config
    st.config.set_option("server.address", before)


def open_page(page: str, params: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=90)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.switch_page(f"views/{page}.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def button(at: AppTest, label: str) -> object:
    found = [b for b in at.button if b.label == label]
    assert found, f"no button {label!r}: {[b.label for b in at.button]}"
    return found[0]


def texts(at: AppTest) -> str:
    parts = [
        e.value
        for kind in ("success", "error", "warning", "info", "caption", "markdown")
        for e in at.get(kind)
    ]
    return "\n".join(str(p) for p in parts)


def form_ids(at: AppTest) -> set[str]:
    return {block.proto.form.form_id for block in at.get("form")}


def badge(at: AppTest) -> str:
    """The review status badge's words (st.badge is Markdown `:color-badge[:icon: words]`)."""
    found = [m.value for m in at.markdown if "-badge[" in m.value]
    assert len(found) == 1, found
    return found[0].split(": ", 1)[1].rstrip("]")


def archive(names: list[str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as handle:
        for name in names:
            handle.writestr(f"单位/{name}", (FIXTURES / name).read_bytes())
        handle.writestr("../escape.txt", b"x")
    return buffer.getvalue()


def test_import_uploads_reports_and_an_archive(directory: Path, address: object) -> None:
    at = open_page("import")
    uploads = [
        ("江山市交通运输局_2021.txt", (FIXTURES / "江山市交通运输局_2021.txt").read_bytes(), "text/plain"),
        (V2021, (FIXTURES / V2021).read_bytes(), "text/html"),
        (
            "safe.zip",
            _safe_archive(["江山市农业农村局_2024.htm", "衢州市财政局_2019.shtml"]),
            "application/zip",
        ),
        ("bad.zip", archive(["开化县发展和改革局_2020.html"]), "application/zip"),
    ]
    at.file_uploader(key="import_files").set_value(uploads)
    button(at, "开始导入").click()
    at.run()
    deadline = time.monotonic() + 120
    while "导入完成" not in texts(at):
        assert time.monotonic() < deadline, texts(at)
        assert not at.exception, [e.value for e in at.exception]
        time.sleep(0.5)
        at.run()
    results = at.dataframe[0].value
    by_file = dict(zip(results["file"], results["import_status"], strict=True))
    assert by_file == {
        "江山市交通运输局_2021.txt": "已导入",
        V2021: "未变化",
        "safe.zip ▸ 单位/江山市农业农村局_2024.htm": "已导入",
        "safe.zip ▸ 单位/衢州市财政局_2019.shtml": "已导入",
        "bad.zip": "拒收",
    }
    assert "points outside the archive's folder" in results.set_index("file").loc["bad.zip", "reason"]
    assert results.set_index("file").loc[V2021, "link"].startswith("./report?report=")
    loaded = {r[0] for r in query(directory, "SELECT file_name FROM reports")}
    assert {"江山市交通运输局_2021.txt", "江山市农业农村局_2024.htm", "衢州市财政局_2019.shtml"} <= loaded
    kept = [p for p in (directory / "uploads").rglob("*") if p.is_file()]
    assert len(kept) == 4 and not any("escape" in p.name or "开化县" in p.name for p in kept)


def _safe_archive(names: list[str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as handle:
        for name in names:
            handle.writestr(f"单位/{name}", (FIXTURES / name).read_bytes())
    return buffer.getvalue()


def test_review_status_is_set_with_a_comment_and_kept_in_the_history(
    directory: Path, address: object
) -> None:
    report = report_of(directory, V2021)
    at = open_page("report", {"report": report})
    assert badge(at) == "审核状态：待审核"
    at.radio(key="review_status_choice").set_value("returned")
    at.text_area(key="review_comment").input("表三数字不对，请核实")
    button(at, "保存审核状态").click()
    at.run()
    assert not at.exception
    assert "已保存审核状态。" in texts(at)
    assert badge(at) == "审核状态：退回修改"
    (event,) = history(directory, report)
    assert (event.status, event.comment) == ("returned", "表三数字不对，请核实")
    assert event.user  # the OS user name on loopback


def test_a_correction_is_made_shown_and_withdrawn(directory: Path, address: object) -> None:
    report = report_of(directory, V2021)
    at = open_page("report", {"report": report})
    at.sidebar.text_input(key="reviewer_name").input("审核员王")
    at.run()
    at.selectbox(key="correct_cell").set_value("req.received|total")
    at.radio(key="correct_kind").set_value("agency_error")
    at.text_input(key="correct_value").input("15")
    at.text_area(key="correct_reason").input("单位来函确认为15件")
    button(at, "保存更正").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(t.startswith("已保存更正 #") for t in texts(at).splitlines()), texts(at)
    (made,) = load_snapshot(directory).active()
    assert (made.value, made.kind, made.reason, made.created_by) == (
        "15",
        "agency_error",
        "单位来函确认为15件",
        "审核员王",
    )
    values = at.dataframe[0].value  # as shown: breakdowns in words, values as written, ✓ for corrected
    row = values[(values["metric_code"] == "req.received") & (values["breakdown"] == "总计")].iloc[0]
    assert (row["value"], row["corrected"]) == ("15", "✓")
    assert values.iloc[0]["metric_code"] == "req.received"  # corrected rows come first
    at.selectbox(key="withdraw_id").set_value(made.id)
    at.text_input(key="withdraw_reason").input("录入错误")
    button(at, "撤回更正（恢复原值）").click()
    at.run()
    assert f"已撤回更正 #{made.id}。" in texts(at)
    assert load_snapshot(directory).active() == ()
    values = at.dataframe[0].value
    assert set(values["corrected"]) == {""}


def test_a_bad_value_is_refused_with_the_reason(directory: Path, address: object) -> None:
    at = open_page("report", {"report": report_of(directory, V2021)})
    at.selectbox(key="correct_cell").set_value("req.received|total")
    at.text_input(key="correct_value").input("十五")
    at.text_area(key="correct_reason").input("x")
    button(at, "保存更正").click()
    at.run()
    assert any("is not a number" in e.value for e in at.error)
    assert load_snapshot(directory).corrections == ()


def test_the_quality_page_filters_by_review_status(
    directory: Path, address: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As in a warehouse too large for the listing to start open (components.OPEN_UP_TO).
    monkeypatch.setattr(components, "OPEN_UP_TO", 0)
    report = report_of(directory, V2021)
    set_status(directory, report, "returned", "缺少第六部分", "审核员甲")
    at = open_page("quality", {"review": "returned"})
    counts = {m.label: m.value for m in at.metric}
    assert (counts["待审核"], counts["已审核"], counts["退回修改"]) == ("0", "0", "1")
    listed = at.dataframe[0].value
    assert list(listed["report_id"]) == [report]
    assert list(listed["review_comment"]) == ["缺少第六部分"]
    everyone = open_page("quality")
    assert {m.label: m.value for m in everyone.metric}["待审核"] == str(len(NAMES) - 1)
    # Without a status chosen the listing's expander of a large warehouse stays closed and is not read.
    assert not any("review_status" in d.value.columns for d in everyone.dataframe)
    everyone.session_state["review_open"] = True
    everyone.run()
    assert len(next(d.value for d in everyone.dataframe if "review_status" in d.value.columns)) == len(NAMES)
    assert f"共{len(NAMES)}份报告。" in [c.value for c in everyone.caption]
    # Streamlit names an expander by its label: one with the count in it would close when a filter changed.
    labels = {e.label for e in everyone.expander} & {e.label for e in at.expander}
    assert "列出这些报告及其审核状态" in labels


def test_the_agency_page_shows_the_review_status_per_year(directory: Path, address: object) -> None:
    report = report_of(directory, V2021)
    set_status(directory, report, "approved", "", "审核员甲")
    agency = query(directory, "SELECT agency_id FROM reports WHERE report_id = ?", [report])[0][0]
    at = open_page("agencies", {"agency": agency})
    tables = [d.value for d in at.dataframe if "review_status" in d.value.columns]
    assert tables and list(tables[0]["review_status"]) == ["已审核"]
    assert list(tables[0]["reviewed_by"]) == ["审核员甲"]


def test_elsewhere_than_loopback_without_editors_nothing_can_be_changed(directory: Path) -> None:
    before = st.get_option("server.address")
    st.config.set_option("server.address", "0.0.0.0")
    try:
        at = open_page("report", {"report": report_of(directory, V2021)})
        assert form_ids(at) == set()
        assert any("只读" in i.value for i in at.info)
        imported = open_page("import")
        assert "import_form" not in form_ids(imported)
    finally:
        st.config.set_option("server.address", before)


def test_elsewhere_than_loopback_an_editor_logs_in_to_change_things(directory: Path) -> None:
    add_editor(directory, "zhang", "correct horse")
    before = st.get_option("server.address")
    st.config.set_option("server.address", "0.0.0.0")
    try:
        report = report_of(directory, V2021)
        at = open_page("report", {"report": report})
        assert form_ids(at) == {"editor_login"}
        at.text_input(key="login_name").input("zhang")
        at.text_input(key="login_password").input("wrong horse")
        button(at, "登录").click()
        at.run()
        assert any("账号或密码不对" in e.value for e in at.error)
        at.text_input(key="login_name").input("zhang")
        at.text_input(key="login_password").input("correct horse")
        button(at, "登录").click()
        at.run()
        assert not at.exception
        assert {"review_form", "correction_form"} <= form_ids(at)
        at.selectbox(key="correct_cell").set_value("req.received|total")
        at.text_input(key="correct_value").input("15")
        at.text_area(key="correct_reason").input("来函")
        button(at, "保存更正").click()
        at.run()
        (made,) = load_snapshot(directory).active()
        assert made.created_by == "zhang"
    finally:
        st.config.set_option("server.address", before)


def test_a_correction_of_a_replaced_version_is_reviewed_on_the_new_one(
    tmp_path: Path, address: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    from warehouse.review.ledger import FactKey, add_correction
    from xxgk.ingest import ingest

    reports, directory = build(tmp_path)
    monkeypatch.setenv("XXGK_WAREHOUSE", str(directory))
    old = report_of(directory, V2021)
    from decimal import Decimal

    _, made = add_correction(
        directory,
        FactKey(old, "req.received", "total"),
        Decimal(15),
        kind="extraction",
        reason="来函",
        user="甲",
    )
    path = reports / V2021
    path.write_bytes(path.read_bytes().replace(b"</body>", "<p>（修订版）</p></body>".encode()))
    ingest([reports], directory)
    new = report_of(directory, V2021)
    at = open_page("report", {"report": new})
    assert any("旧版本有 1 项更正" in w.value for w in at.warning)
    waiting = next(d.value for d in at.dataframe if "current_value" in d.value.columns)
    assert list(waiting["id"]) == [made.id]
    at.selectbox(key="carried_id").set_value(made.id)
    button(at, "沿用到本版本").click()
    at.run()
    assert f"已沿用更正 #{made.id}。" in texts(at)
    assert not any("旧版本" in w.value for w in at.warning)
    carried = [c for c in load_snapshot(directory).active() if c.report_id == new]
    assert [(c.value, c.carried_from) for c in carried] == [("15", made.id)]
