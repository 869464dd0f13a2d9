"""Serve the dashboard: Streamlit over the current version of a warehouse directory."""

from __future__ import annotations

import os
import sys
from importlib import resources
from pathlib import Path
from typing import NoReturn

from xxgk.uploads import UploadLimits


def app_path() -> Path:
    return Path(str(resources.files("dashboard").joinpath("app.py")))


def streamlit_command(host: str, port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app_path()),
        "--server.headless=true",
        f"--server.address={host}",
        f"--server.port={port}",
        "--browser.gatherUsageStats=false",
        "--server.fileWatcherType=none",
        "--client.toolbarMode=viewer",
        "--theme.base=light",
        f"--server.maxUploadSize={UploadLimits().max_upload_bytes >> 20}",
    ]


REQUIRE_LOGIN = "XXGK_REQUIRE_LOGIN"
"""Read by dashboard/editing.py: ask for an editor's password even on a loopback address."""


def serve(directory: Path, host: str, port: int, *, require_login: bool = False) -> NoReturn:
    """Replace this process with the Streamlit server, so that stopping it stops the dashboard."""
    env = {**os.environ, "XXGK_WAREHOUSE": str(directory.resolve())}
    env.pop(REQUIRE_LOGIN, None)
    if require_login:
        env[REQUIRE_LOGIN] = "1"
    print(f"dashboard: http://{host}:{port}  (warehouse {directory}; Ctrl-C stops)", flush=True)
    command = streamlit_command(host, port)
    os.execve(command[0], command, env)
