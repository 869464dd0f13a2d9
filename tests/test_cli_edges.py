"""The edges of the command line: the export format, paths that look like markup, special files, limits."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import FIXTURES
from xxgk.cli import cli, parse_size

REPORT = FIXTURES / "reports" / "柯城区卫生健康局_2022_gbk.html"


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("edges") / "wh"
    assert CliRunner().invoke(cli, ["ingest", str(REPORT), "--warehouse", str(directory)]).exit_code == 0
    return directory


@pytest.mark.parametrize(
    ("name", "magic"), [("facts.xlsx", b"PK"), ("facts.parquet", b"PAR1"), ("facts.csv", b"\xef\xbb\xbf")]
)
def test_export_takes_the_format_from_the_file_name(
    warehouse: Path, tmp_path: Path, name: str, magic: bytes
) -> None:
    out = tmp_path / name
    result = CliRunner().invoke(cli, ["export", "facts", "--warehouse", str(warehouse), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(magic)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--out", "facts.xls"], "cannot tell the format from 'facts.xls'"),
        (
            ["--out", "facts.xlsx", "--format", "csv"],
            "--format csv does not match the file name 'facts.xlsx'",
        ),
    ],
)
def test_export_refuses_a_format_it_cannot_tell(
    warehouse: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    result = CliRunner().invoke(cli, ["export", "facts", "--warehouse", str(warehouse), *args])
    assert result.exit_code == 2 and message in result.output


def test_parse_shows_a_path_that_looks_like_markup_as_it_is(tmp_path: Path) -> None:
    folder = tmp_path / "a[" / "b]" / "x["
    folder.mkdir(parents=True)
    target = folder / "bold].html"
    shutil.copy(REPORT, target)
    result = CliRunner().invoke(cli, ["parse", str(target)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == str(target)


def test_parse_refuses_special_files_in_one_line() -> None:
    result = CliRunner().invoke(cli, ["parse", "/dev/zero"])
    assert result.exit_code == 1
    assert (
        result.output.strip() == "/dev/zero: error: zero is a character device, not a regular file: not read"
    )


def test_limits_are_options_with_sizes_people_write() -> None:
    assert (
        parse_size("1.5G") == 1536 << 20 and parse_size("800m") == 800 << 20 and parse_size("2GB") == 2 << 30
    )
    result = CliRunner().invoke(cli, ["parse", str(REPORT), "--memory-limit", "lots"])
    assert result.exit_code == 2 and "'lots' is not a size" in result.output
