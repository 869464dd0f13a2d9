"""What the real-browser suites share: Debian's chromium, a real `xxgk serve` process on a free port,
and the selector of a page whose script has finished."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
READY = '[data-testid="stApp"][data-test-connection-state="CONNECTED"][data-test-script-state="notRunning"]'


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return bool(response.read() == b"ok")
    except OSError:
        return False


def start_serve(
    directory: Path, host: str = "127.0.0.1", wait_seconds: float = 60
) -> tuple[subprocess.Popen[bytes], str]:
    """`xxgk serve` over a warehouse directory, once its health endpoint answers."""
    port = free_port()
    command = [sys.executable, "-m", "xxgk", "serve", "--warehouse", str(directory), "--port", str(port)]
    process = subprocess.Popen(
        [*command, "--host", host], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ}
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + wait_seconds
    while not healthy(url):
        assert process.poll() is None, "xxgk serve exited"
        assert time.monotonic() < deadline, f"dashboard did not become healthy in {wait_seconds:.0f} s"
        time.sleep(0.3)
    return process, url


def stop_serve(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:  # a busy machine: the server is slow to stop
        process.kill()
        process.wait(10)


@contextmanager
def served(directory: Path, wait_seconds: float = 60) -> Iterator[str]:
    process, url = start_serve(directory, wait_seconds=wait_seconds)
    try:
        yield url
    finally:
        stop_serve(process)


def launch_chromium(playwright: Any) -> Any:
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM),
        headless=True,
        args=["--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--disable-sync"],
    )
