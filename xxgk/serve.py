"""Serve the dashboard: Streamlit over the current version of a warehouse directory."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib import resources
from pathlib import Path


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
    ]


def serve(directory: Path, host: str, port: int) -> int:
    """Run the dashboard until interrupted; returns Streamlit's exit code."""
    env = {**os.environ, "XXGK_WAREHOUSE": str(directory.resolve())}
    print(f"dashboard: http://{host}:{port}  (warehouse {directory}; Ctrl-C stops)", flush=True)
    try:
        return subprocess.call(streamlit_command(host, port), env=env)
    except KeyboardInterrupt:
        return 0
