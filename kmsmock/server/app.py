"""The HTTP server behind ``kmsmock serve``: KMS at ``/``, the control API at ``/_kmsmock/``.

It is the standard library's threading HTTP/1.1 server: each connection has
a thread of its own, keep-alive is on, and a connection that sends nothing
for :data:`IDLE_TIMEOUT` seconds is closed, so a slow or half-sent request
holds up no other client. A request body over :data:`MAX_BODY` bytes is
refused with 413. Nothing a client sends stops the server: a kmsmock bug
answers 500 and is logged, and the server goes on.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast
from urllib.parse import urlsplit

from ..errors import UnimplementedOperationError
from ..handle import KmsKeystores
from ..options import Options
from ..protocol.json11 import CONTENT_TYPE, encode_json
from ..protocol.pipeline import Pipeline
from ..simulation import Simulation
from ..transport.http_transport import answer_http
from . import control

__all__ = ["IDLE_TIMEOUT", "MAX_BODY", "KmsHttpServer"]

log = logging.getLogger("kmsmock.server")

MAX_BODY = 1024 * 1024
"""The largest request body accepted, in bytes (KMS's own requests are far smaller)."""

IDLE_TIMEOUT = 30.0
"""Seconds a connection may stay silent, mid-request or between requests, before it is closed."""


class KmsHttpServer(ThreadingHTTPServer):
    """A simulated KMS served over HTTP, with the control API beside it.

    ``persist``, when given, runs after every request, before its answer is
    sent (see :mod:`kmsmock.server.persistence`).
    """

    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self,
        address: tuple[str, int],
        options: Options,
        simulation: Simulation | None = None,
    ) -> None:
        self.simulation = simulation or Simulation(options.resolved())
        self.pipeline = Pipeline(self.simulation)
        self.handle = KmsKeystores(self.simulation)
        self.persist: Any = None
        self.write_lock = threading.Lock()
        """Serialises each request that may write with the saving of the state it leaves."""
        super().__init__(address, _Handler)

    @property
    def url(self) -> str:
        """Where the server answers, such as ``http://127.0.0.1:4566``."""
        host, port = self.server_address[:2]
        if isinstance(host, bytes):
            host = host.decode()
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port}"

    def server_close(self) -> None:
        """Close the socket; the simulation stops with the server."""
        super().server_close()
        self.simulation.alive = False


class _Handler(BaseHTTPRequestHandler):
    """One connection: KMS requests and control requests, answered in turn."""

    protocol_version = "HTTP/1.1"
    timeout = IDLE_TIMEOUT
    disable_nagle_algorithm = True  # an answer goes out at once, not 40 ms later
    wbufsize = 64 * 1024  # the head and body go out together: the handler flushes once
    server: KmsHttpServer

    def do_POST(self) -> None:
        """Answer a POST (every KMS request is one)."""
        self._answer()

    def do_GET(self) -> None:
        """Answer a GET (control reads; KMS answers it UnknownOperationException)."""
        self._answer()

    def __getattr__(self, name: str) -> Any:
        """Any other method gets the answer of the route it names (405 for the control API)."""
        if name.startswith("do_"):
            return self._answer
        raise AttributeError(name)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Refuse the request in JSON, not HTML, and close the connection (its rest is unread).

        The standard library calls this for what it refuses itself, such as a
        malformed request line or a method no ``do_`` method answers.
        """
        self.close_connection = True
        status, headers, payload = _json(
            code,
            {"__type": "RequestRejected", "message": message or self.responses[code][0]},
        )
        headers["Connection"] = "close"
        self._send(status, headers, payload)

    def log_message(self, format: str, *args: Any) -> None:
        """Requests are logged at debug level, not printed."""
        log.debug("%s %s", self.address_string(), format % args)

    def _answer(self) -> None:
        body = self._body()
        if body is None:
            return
        path = urlsplit(self.path).path
        try:
            if self.server.persist is None:
                status, headers, payload = self._route(path, body)
            else:  # the state a request leaves is on disk before its answer is sent
                with self.server.write_lock:
                    status, headers, payload = self._route(path, body)
                    self.server.persist()
        except Exception:  # a kmsmock bug: answered, logged, and the server goes on
            log.exception("kmsmock could not answer %s %s", self.command, self.path)
            status, headers, payload = _json(
                500, {"__type": "InternalFailure", "message": "kmsmock failed; see its log."}
            )
        self._send(status, headers, payload)

    def _route(self, path: str, body: bytes) -> tuple[int, dict[str, str], bytes]:
        if path.startswith(control.PREFIX):
            return self._control(path, body)
        return self._kms(body)

    def _body(self) -> bytes | None:
        """The request's body, or None after refusing it (unknown or too large a length)."""
        if self.headers.get("Transfer-Encoding"):
            self.send_error(411, "Send the body with a Content-Length, not a Transfer-Encoding.")
            return None
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            self.send_error(400, "Content-Length is not a number.")
            return None
        if length < 0 or length > MAX_BODY:
            self.send_error(413, f"The request body is larger than {MAX_BODY} bytes.")
            return None
        return self.rfile.read(length) if length else b""

    def _kms(self, body: bytes) -> tuple[int, dict[str, str], bytes]:
        host = self.headers.get("Host") or "localhost"
        try:
            # An email.message.Message: a case-insensitive mapping of the headers.
            headers = cast(Mapping[str, Any], self.headers)
            response = answer_http(self.server.pipeline, headers, body, host)
        except UnimplementedOperationError as refusal:
            return _json(501, {"__type": "UnimplementedOperationError", "message": str(refusal)})
        return response.status, dict(response.headers), response.body

    def _control(self, path: str, body: bytes) -> tuple[int, dict[str, str], bytes]:
        try:
            with self.server.simulation.kms.lock:  # one change at a time, as KMS requests
                answer = control.route(self.server.handle, self.command, path, body)
            return _json(200, answer)
        except control.ControlError as refusal:
            return _json(refusal.status, {"error": refusal.message})

    def _send(self, status: int, headers: dict[str, str], payload: bytes) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)


def _json(status: int, document: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
    payload = encode_json(document).encode()
    content_type = CONTENT_TYPE if "__type" in document else "application/json"
    headers = {"Content-Type": content_type, "Content-Length": str(len(payload))}
    return status, headers, payload
