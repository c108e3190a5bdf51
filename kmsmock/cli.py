"""The ``kmsmock`` command: ``kmsmock serve`` runs the simulated KMS as an HTTP server."""

from __future__ import annotations

import argparse
import ipaddress
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

__all__ = ["main"]


def _delay(text: str) -> float | None:
    if text == "settle":
        return None
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"a delay is a number of seconds, or 'settle', not {text!r}"
        ) from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kmsmock", description="A simulated AWS KMS with custom key stores."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser(
        "serve",
        help="serve the simulated KMS over HTTP",
        description=(
            "Serve the simulated KMS over HTTP: KMS's JSON 1.1 protocol at /, the control "
            "API under /_kmsmock/. Point an SDK's endpoint URL at it."
        ),
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default: loopback)")
    serve.add_argument("--port", type=int, default=4566, help="port (0: a free one; default 4566)")
    serve.add_argument("--state", metavar="FILE", help="keep the state in FILE across restarts")
    serve.add_argument("--account-id", default="123456789012", help="the default account")
    serve.add_argument("--region", help="the default region (default: us-east-1)")
    serve.add_argument("--strict", action="store_true", help="only what is arranged exists")
    for name in ("--connect-delay", "--disconnect-delay"):
        serve.add_argument(
            name,
            type=_delay,
            default=0.0,
            help="seconds on the mock clock, or 'settle' to wait for a settle (default 0)",
        )
    return parser


def _is_loopback(host: str) -> bool:
    if host in ("localhost", ""):
        return host == "localhost"
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(arguments: argparse.Namespace) -> int:
    """Run the server until SIGINT or SIGTERM; 0 when it stopped cleanly."""
    from .options import Options
    from .server.app import KmsHttpServer
    from .server.persistence import StateFileError, attach

    try:
        options = Options(
            account_id=arguments.account_id,
            region=arguments.region,
            strict=arguments.strict,
            connect_delay=arguments.connect_delay,
            disconnect_delay=arguments.disconnect_delay,
        )
    except (TypeError, ValueError) as error:
        print(f"kmsmock serve: {error}", file=sys.stderr)
        return 2
    if not _is_loopback(arguments.host):
        print(
            f"kmsmock serve: warning: listening on {arguments.host!r}, not only on this "
            "machine's loopback; anyone who reaches it can use and steer this KMS",
            file=sys.stderr,
        )
    try:
        server = KmsHttpServer((arguments.host, arguments.port), options)
    except OSError as error:
        print(
            f"kmsmock serve: cannot listen on {arguments.host}:{arguments.port}: {error}",
            file=sys.stderr,
        )
        return 1
    if arguments.state:
        try:
            attach(server, arguments.state)
        except StateFileError as error:
            server.server_close()
            print(f"kmsmock serve: {error}", file=sys.stderr)
            return 1

    def stop(signum: int, frame: FrameType | None) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"kmsmock serving KMS at {server.url} (control API: {server.url}/_kmsmock)", flush=True)
    try:
        server.serve_forever(poll_interval=0.1)
    finally:
        server.server_close()
    print("kmsmock serve: stopped", file=sys.stderr, flush=True)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``kmsmock`` command."""
    arguments = _parser().parse_args(argv)
    if arguments.command == "serve":
        return serve(arguments)
    return 2  # pragma: no cover - argparse requires a command
