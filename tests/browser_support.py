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


def free_port(host: str = "127.0.0.1") -> int:
    """A port free on `host` (for "0.0.0.0": on every interface, as the server will need it)."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return bool(response.read() == b"ok")
    except OSError:
        return False


def _listens(pid: int, port: int) -> bool:
    """Whether process `pid` holds a socket listening on `port` (read from /proc, as `ss -lp` does)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text(encoding="ascii").splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "0A":  # 0A: LISTEN
                inodes.add(f"socket:[{fields[9]}]")
    try:
        return any(os.readlink(fd) in inodes for fd in Path(f"/proc/{pid}/fd").iterdir())
    except OSError:
        return False


def start_serve(
    directory: Path, host: str = "127.0.0.1", wait_seconds: float = 60
) -> tuple[subprocess.Popen[bytes], str]:
    """`xxgk serve` over a warehouse directory, once its health endpoint answers.

    The port is free when chosen but only taken when the server binds it, seconds later: under
    pytest-xdist another worker's server may take it in between. Then this server exits (the address is
    in use) and the health endpoint that answers is the other one's; so the server must answer and hold
    the port itself, and one that exited is started again on another port."""
    for _ in range(3):
        port = free_port(host)
        command = [sys.executable, "-m", "xxgk", "serve", "--warehouse", str(directory), "--port", str(port)]
        process = subprocess.Popen(
            [*command, "--host", host],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ},
        )
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + wait_seconds
        while process.poll() is None and not (healthy(url) and _listens(process.pid, port)):
            assert time.monotonic() < deadline, f"dashboard did not become healthy in {wait_seconds:.0f} s"
            time.sleep(0.3)
        if process.poll() is None:
            return process, url
    raise AssertionError("xxgk serve exited three times (no port it could take?)")


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
