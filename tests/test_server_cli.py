"""The ``kmsmock serve`` command: what it prints, what it refuses, and how it stops."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from test_server import client

from kmsmock.server import KmsServer

SERVE = [sys.executable, "-m", "kmsmock", "serve"]


def _start(*arguments: str) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [*SERVE, *arguments], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    first = process.stdout.readline()
    assert "kmsmock serving KMS at http://" in first, first
    return process, first.split(" at ", 1)[1].split()[0]


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_it_prints_its_url_answers_and_stops_cleanly_on_a_signal(stop: signal.Signals) -> None:
    process, url = _start("--port", "0", "--account-id", "111122223333")
    try:
        keys = client(SimpleNamespace(url=url), account="111122223333").list_keys()["Keys"]
        assert keys == []
    finally:
        process.send_signal(stop)
        output, errors = process.communicate(timeout=10)
    assert process.returncode == 0
    assert url.startswith("http://127.0.0.1:")
    assert "warning" not in errors  # loopback: nothing to warn about
    assert "stopped" in errors and "Traceback" not in errors + output


def test_listening_beyond_loopback_prints_a_warning() -> None:
    process, url = _start("--host", "0.0.0.0", "--port", "0")
    process.send_signal(signal.SIGTERM)
    _, errors = process.communicate(timeout=10)
    assert url.startswith("http://0.0.0.0:")
    assert "warning: listening on '0.0.0.0'" in errors


@pytest.mark.parametrize(
    ("arguments", "says"),
    [
        (["--connect-delay", "soon"], "a delay is a number of seconds, or 'settle'"),
        (["--account-id", "12"], "12 digits"),
        (["--region", "mars"], "AWS region name"),
        (["--connect-delay", "-1"], ">= 0"),
    ],
)
def test_bad_options_are_refused_with_a_message_not_a_traceback(
    arguments: list[str], says: str
) -> None:
    finished = subprocess.run(
        [*SERVE, "--port", "0", *arguments], capture_output=True, text=True, timeout=30
    )
    assert finished.returncode == 2
    assert says in finished.stderr
    assert "Traceback" not in finished.stderr


def test_a_port_in_use_is_refused_with_a_message() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        finished = subprocess.run(
            [*SERVE, "--port", str(port)], capture_output=True, text=True, timeout=30
        )
    assert finished.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in finished.stderr
    assert "Traceback" not in finished.stderr


def test_a_subprocess_server_that_cannot_start_says_why(tmp_path: Path) -> None:
    path = tmp_path / "kms.json"
    path.write_text("not a state file")
    with pytest.raises(RuntimeError, match="cannot be read as a kmsmock state file"):
        KmsServer(subprocess=True, state_file=path).start()
