"""Server mode beside moto's ThreadedMotoServer: requests per second, latency, time to ready.

Run from a checkout with the dev extra installed::

    python benchmarks/server.py            # about a minute
    python benchmarks/server.py --quick    # a smoke run
    python benchmarks/server.py --check    # exit 1 if kmsmock serves < 1.5x moto's rps

Both servers run in a process of their own, started the way a user starts
them: ``python -m kmsmock serve`` and moto's ``ThreadedMotoServer`` (its
Python API, in a small launcher). The load comes from this process, the same
client for both: ``CLIENTS`` threads, each with one keep-alive connection
(``http.client``), sending the same signed JSON 1.1 requests. Neither server
checks signatures, so the requests are built once, not signed per call.

Each round measures every operation on both servers, alternating which goes
first, for a fixed time each; a ratio is the median over rounds of the
ratio within a round, so load on a shared machine hits both alike. Latency
percentiles pool every request of every round.

Time to ready is from starting the process to the first answered KMS
request, the median of a few starts.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

CLIENTS = 4
"""Client threads (each with its own keep-alive connection) while measuring."""

TARGET = 1.5
"""kmsmock's throughput must be at least this many times moto's on every operation."""

ACCOUNT = "123456789012"
HEADERS = {
    "Content-Type": "application/x-amz-json-1.1",
    "X-Amz-Date": "20261207T120000Z",
    "Authorization": (
        f"AWS4-HMAC-SHA256 Credential=AKIAKMSM{ACCOUNT}/20261207/us-east-1/kms/aws4_request, "
        "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=" + "0" * 64
    ),
}

MOTO_LAUNCHER = """
import signal, sys
from moto.server import ThreadedMotoServer
server = ThreadedMotoServer(ip_address="127.0.0.1", port=int(sys.argv[1]), verbose=False)
server.start()
signal.signal(signal.SIGTERM, lambda *_: (server.stop(), sys.exit(0)))
signal.pause()
"""


def free_port() -> int:
    """A port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def call(connection: http.client.HTTPConnection, operation: str, body: dict[str, Any]) -> bytes:
    """One KMS request over ``connection``; raises unless the answer is 200."""
    connection.request(
        "POST",
        "/",
        body=json.dumps(body).encode(),
        headers={**HEADERS, "X-Amz-Target": f"TrentService.{operation}"},
    )
    answer = connection.getresponse()
    payload = answer.read()
    if answer.status != 200:
        raise RuntimeError(f"{operation}: {answer.status} {payload[:200]!r}")
    return payload


@dataclass
class Server:
    """A server process under test."""

    name: str
    command: list[str]
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> float:
        """Start the process; return the seconds until it answered a KMS request."""
        started = time.perf_counter()
        self.process = subprocess.Popen(
            [*self.command, str(self.port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        while True:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                call(connection, "ListKeys", {})
                connection.close()
                return time.perf_counter() - started
            except OSError:
                if self.process.poll() is not None:
                    code = self.process.returncode
                    raise RuntimeError(f"{self.name} exited with {code}") from None
                if time.perf_counter() - started > 60:
                    raise RuntimeError(f"{self.name} did not answer within 60 s") from None
                time.sleep(0.002)

    def stop(self) -> None:
        """Stop the process."""
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None

    def connect(self) -> http.client.HTTPConnection:
        """A fresh keep-alive connection to the server."""
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)


def kmsmock_server() -> Server:
    """``kmsmock serve``, as a user runs it."""
    return Server("kmsmock", [sys.executable, "-m", "kmsmock", "serve", "--port"])


def moto_server() -> Server:
    """moto's ThreadedMotoServer, in a process of its own."""
    return Server("moto", [sys.executable, "-c", MOTO_LAUNCHER])


def operations(server: Server) -> dict[str, Callable[[http.client.HTTPConnection], bytes]]:
    """The measured operations, each on a key made on ``server`` first."""
    connection = server.connect()
    key_id = json.loads(call(connection, "CreateKey", {}))["KeyMetadata"]["KeyId"]
    connection.close()
    return {
        "DescribeKey": lambda c: call(c, "DescribeKey", {"KeyId": key_id}),
        "Encrypt": lambda c: call(c, "Encrypt", {"KeyId": key_id, "Plaintext": "c2VjcmV0"}),
        "CreateKey": lambda c: call(c, "CreateKey", {"Description": "benchmark"}),
    }


def load(
    server: Server, request: Callable[[http.client.HTTPConnection], bytes], seconds: float
) -> tuple[float, list[float]]:
    """Requests per second over ``seconds`` from CLIENTS threads, and every latency."""
    latencies: list[list[float]] = [[] for _ in range(CLIENTS)]
    errors: list[BaseException] = []
    ready = threading.Barrier(CLIENTS + 1)
    go = threading.Event()
    deadline = [0.0]

    def client(mine: list[float]) -> None:
        connection = server.connect()
        try:
            request(connection)  # warm: the connection is open before timing starts
            ready.wait()
            go.wait()
            while True:  # at least one timed request each
                began = time.perf_counter()
                request(connection)
                ended = time.perf_counter()
                mine.append(ended - began)
                if ended >= deadline[0]:
                    return
        except BaseException as error:
            errors.append(error)
            ready.abort()  # no one waits for this client any longer
        finally:
            connection.close()

    threads = [threading.Thread(target=client, args=(mine,)) for mine in latencies]
    for thread in threads:
        thread.start()
    with contextlib.suppress(threading.BrokenBarrierError):  # a client failed: raised below
        ready.wait()
    started = time.perf_counter()
    deadline[0] = started + seconds
    go.set()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise errors[0]
    pooled = [latency for mine in latencies for latency in mine]
    return len(pooled) / elapsed, pooled


def percentile(values: list[float], fraction: float) -> float:
    """The value below which ``fraction`` of ``values`` lie."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def measure(rounds: int, seconds: float, starts: int) -> dict[str, Any]:
    """Run the comparison; the figures, ready to print or check."""
    servers = [kmsmock_server(), moto_server()]
    ready: dict[str, list[float]] = {server.name: [] for server in servers}
    for _ in range(starts):  # time to ready, from cold processes, alternating
        for server in servers:
            ready[server.name].append(server.start())
            server.stop()
    for server in servers:
        server.start()
    try:
        requests = {server.name: operations(server) for server in servers}
        names = list(requests["kmsmock"])
        ratios: dict[str, list[float]] = {name: [] for name in names}
        rps: dict[str, dict[str, list[float]]] = {s.name: {n: [] for n in names} for s in servers}
        latencies: dict[str, dict[str, list[float]]] = {
            s.name: {n: [] for n in names} for s in servers
        }
        for round_number in range(rounds):
            order = servers if round_number % 2 == 0 else servers[::-1]
            for name in names:
                within: dict[str, float] = {}
                for server in order:
                    rate, latency = load(server, requests[server.name][name], seconds)
                    within[server.name] = rate
                    rps[server.name][name].append(rate)
                    latencies[server.name][name].extend(latency)
                ratios[name].append(within["kmsmock"] / within["moto"])
    finally:
        for server in servers:
            server.stop()
    return {
        "clients": CLIENTS,
        "rounds": rounds,
        "seconds": seconds,
        "ready_ms": {name: statistics.median(times) * 1000 for name, times in ready.items()},
        "operations": {
            name: {
                "ratio": statistics.median(ratios[name]),
                **{
                    server: {
                        "rps": statistics.median(rps[server][name]),
                        "p50_ms": percentile(latencies[server][name], 0.50) * 1000,
                        "p99_ms": percentile(latencies[server][name], 0.99) * 1000,
                    }
                    for server in ("kmsmock", "moto")
                },
            }
            for name in names
        },
    }


def report(figures: dict[str, Any]) -> str:
    """The figures as a Markdown table, as docs/performance.md shows them."""
    lines = [
        f"{figures['clients']} keep-alive clients, {figures['rounds']} rounds of "
        f"{figures['seconds']} s per operation and server ({os.cpu_count()} cores, "
        f"Python {sys.version.split()[0]})",
        "",
        "| operation | kmsmock rps | moto rps | ratio | kmsmock p50 / p99 | moto p50 / p99 |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, by in figures["operations"].items():
        ours, theirs = by["kmsmock"], by["moto"]
        lines.append(
            f"| {name} | {ours['rps']:,.0f} | {theirs['rps']:,.0f} | {by['ratio']:.1f}x | "
            f"{ours['p50_ms']:.2f} / {ours['p99_ms']:.2f} ms | "
            f"{theirs['p50_ms']:.2f} / {theirs['p99_ms']:.2f} ms |"
        )
    ready = figures["ready_ms"]
    lines += ["", f"Time to ready: kmsmock {ready['kmsmock']:.0f} ms, moto {ready['moto']:.0f} ms"]
    return "\n".join(lines)


def main() -> int:
    """Measure, print, and with --check, fail when a ratio misses :data:`TARGET`."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    parser.add_argument("--check", action="store_true", help=f"exit 1 below {TARGET}x moto")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    arguments = parser.parse_args()
    if arguments.quick:
        figures = measure(rounds=1, seconds=0.5, starts=1)
    else:
        figures = measure(rounds=5, seconds=2.0, starts=5)
    print(json.dumps(figures, indent=2) if arguments.json else report(figures))
    missed = [n for n, by in figures["operations"].items() if by["ratio"] < TARGET]
    if arguments.check and missed:
        print(f"below {TARGET}x moto's throughput: {', '.join(missed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
