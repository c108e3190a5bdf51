"""Running a kmsmock server for a test: in a thread of this process, or in a subprocess."""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

from ..handle import KmsKeystores
from ..options import Options

__all__ = ["KmsServer"]


class KmsServer:
    """A simulated KMS served over HTTP, started and stopped by a test.

    ::

        with KmsServer() as server:              # port 0: a free port
            run_my_dotnet_tests(endpoint=server.url)

    By default the server runs in a thread of this process, and
    :attr:`handle` steers it as a mock's handle does. With
    ``subprocess=True`` it runs ``python -m kmsmock serve`` instead; steer it
    through the control API at ``server.url + "/_kmsmock"``. ``state_file``
    keeps the state across restarts (see :mod:`kmsmock.server.persistence`).
    Other keyword arguments are the options of ``mock_kms_keystores``.

    :meth:`start` waits until the server answers, at most ``timeout``
    seconds, and raises :class:`TimeoutError` otherwise. Each server listens
    on a port of its own, so servers in parallel test workers never meet.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        state_file: str | Path | None = None,
        subprocess: bool = False,
        **options: Any,
    ) -> None:
        self._options = Options(**options)
        self._host = host
        self._port = port
        self._state_file = None if state_file is None else Path(state_file)
        self._in_subprocess = subprocess
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._process: Any = None
        self._log: Any = None
        self.url = ""
        """Where the server answers, once started, such as ``http://127.0.0.1:41523``."""

    @property
    def handle(self) -> KmsKeystores:
        """The handle of a server running in this process (not with ``subprocess=True``)."""
        if self._server is None:
            raise RuntimeError("the handle exists while a server runs in this process")
        handle: KmsKeystores = self._server.handle
        return handle

    def start(self, timeout: float = 10.0) -> str:
        """Start the server and wait until it answers; return its URL."""
        if self._server is not None or self._process is not None:
            raise RuntimeError(f"this server runs already, at {self.url}")
        if self._in_subprocess:
            self.url = self._start_process(timeout)
        else:
            self.url = self._start_thread()
        self._wait_until_ready(time.monotonic() + timeout)
        return self.url

    def _start_thread(self) -> str:
        from .app import KmsHttpServer
        from .persistence import attach

        server = KmsHttpServer((self._host, self._port), self._options)
        if self._state_file is not None:
            attach(server, self._state_file)
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return server.url

    def _start_process(self, timeout: float) -> str:
        command = [sys.executable, "-m", "kmsmock", "serve", "--host", self._host]
        command += ["--port", str(self._port), *_option_arguments(self._options)]
        if self._state_file is not None:
            command += ["--state", str(self._state_file)]
        # What the server logs goes to a file, not a pipe no one reads: a full pipe would
        # stop the server mid-write.
        self._log = tempfile.TemporaryFile("w+")  # noqa: SIM115 - closed in stop()
        self._process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=self._log, text=True
        )
        lines: queue.Queue[str] = queue.Queue()
        stdout = self._process.stdout
        threading.Thread(target=lambda: lines.put(stdout.readline()), daemon=True).start()
        try:
            first = lines.get(timeout=timeout)
        except queue.Empty:
            self._kill()
            raise TimeoutError(f"kmsmock serve did not start within {timeout} s") from None
        if "http://" not in first:
            self._process.wait(timeout)
            self._log.seek(0)
            error = self._log.read()
            self._kill()
            raise RuntimeError(f"kmsmock serve did not start: {first}{error}".strip())
        return "http://" + first.split("http://", 1)[1].split()[0]

    def _wait_until_ready(self, deadline: float) -> None:
        while True:
            try:
                with urllib.request.urlopen(self.url + "/_kmsmock/health", timeout=1) as answer:
                    if json.load(answer).get("status") == "ok":
                        return
            except (OSError, ValueError):
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise TimeoutError(f"the kmsmock server at {self.url} did not answer in time")
            time.sleep(0.01)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the server (and its subprocess); nothing happens if it is not running."""
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
            if self._thread is not None:
                self._thread.join(timeout)
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout)
            except subprocess.TimeoutExpired:
                self._kill()
            self._close_pipes()
            self._process = None

    def _kill(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.wait()
            self._close_pipes()

    def _close_pipes(self) -> None:
        for pipe in (self._process.stdout, self._log):
            if pipe is not None:
                pipe.close()

    def __enter__(self) -> KmsServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<KmsServer {self.url or 'not started'}>"


def _option_arguments(options: Options) -> list[str]:
    """The ``kmsmock serve`` arguments that give a subprocess these options."""
    arguments = ["--account-id", options.account_id]
    if options.region is not None:
        arguments += ["--region", options.region]
    if options.strict:
        arguments.append("--strict")
    for name, delay in (
        ("--connect-delay", options.connect_delay),
        ("--disconnect-delay", options.disconnect_delay),
    ):
        arguments += [name, "settle" if delay is None else repr(delay)]
    return arguments
