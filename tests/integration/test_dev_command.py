"""``lamina dev FOLDER``: one command gives a folder a URL, runs edits on save and streams the logs."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

import pytest

from tests.lamina_server import LaminaServer, free_port


class DevProcess:
    """`lamina dev` as a user runs it in a terminal; its output is read line by line as it comes."""

    def __init__(self, folder: Path, data_dir: Path, port: int, *extra: str, env: dict[str, str] | None = None):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "lamina", "dev", str(folder), "--data-dir", str(data_dir), "--port", str(port),
             *extra],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
            env={**os.environ, **(env or {})})
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for_line(self, needle: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                break
            self.seen.append(line)
            if needle in line:
                return line
        raise AssertionError(f"`lamina dev` never printed {needle!r}; it printed:\n" + "\n".join(self.seen))

    def interrupt(self) -> int:
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=30)

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def _get(url: str) -> str:
    """As curl calls it: ``*.localhost`` names resolve to the loopback address (RFC 6761)."""
    parts = urlsplit(url)
    request = urllib.request.Request(f"http://127.0.0.1:{parts.port}{parts.path or '/'}",
                                     headers={"Host": parts.netloc})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.read().decode()


def _answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_lamina/health", timeout=1):
            return True
    except OSError:
        return False


def _handler(tag: str) -> str:
    return ("def handler(event, context):\n"
            f"    print('serving {tag}')\n"
            f"    return {{'statusCode': 200, 'body': {tag!r}}}\n")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    project = tmp_path / "projects" / "hello-dev"
    project.mkdir(parents=True)
    (project / "app.py").write_text(_handler("v1"))
    return project


@pytest.fixture
def dev_runs() -> Iterator[list[DevProcess]]:
    started: list[DevProcess] = []
    yield started
    for dev in started:
        dev.kill()


def test_dev_starts_a_node_serves_the_folder_reloads_on_save_and_stops_on_ctrl_c(
        tmp_path: Path, folder: Path, dev_runs: list[DevProcess]) -> None:
    port = free_port()
    dev = DevProcess(folder, tmp_path / "data", port)
    dev_runs.append(dev)
    url = dev.wait_for_line("URL:").split("URL:", 1)[1].strip()
    assert url.startswith("http://") and "lambda-url" in url
    dev.wait_for_line("Logs (Ctrl-C to stop)")
    assert _get(url) == "v1"
    # Its logs stream in the terminal while `lamina dev` runs.
    dev.wait_for_line("serving v1")

    (folder / "app.py").write_text(_handler("v2"))
    deadline = time.monotonic() + 5
    while _get(url) != "v2":
        assert time.monotonic() < deadline, "the edited handler never answered"
    dev.wait_for_line("serving v2")

    assert dev.interrupt() == 0
    # The node `lamina dev` started for itself goes with it.
    assert not _answers(port)


def test_dev_uses_a_running_node_and_leaves_it_running(tmp_path: Path, folder: Path,
                                                       dev_runs: list[DevProcess]) -> None:
    node = LaminaServer(tmp_path / "data", extra_env={"LAMINA_HOT_RELOAD_ROOTS": str(folder.parent)})
    node.start()
    try:
        dev = DevProcess(folder, node.data_dir, node.port)
        dev_runs.append(dev)
        dev.wait_for_line("Logs (Ctrl-C to stop)")
        function = node.client("lambda").get_function_configuration(FunctionName="hello-dev")
        assert function["Handler"] == "app.handler"
        assert function["Runtime"] == f"python{sys.version_info.major}.{sys.version_info.minor}"
        assert dev.interrupt() == 0
        assert _answers(node.port)
    finally:
        node.stop()


def test_dev_names_what_is_missing_when_no_handler_is_found(tmp_path: Path, dev_runs: list[DevProcess]) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    dev = DevProcess(empty, tmp_path / "data", free_port())
    dev_runs.append(dev)
    dev.wait_for_line("no handler found")
    assert dev.process.wait(timeout=30) == 1
