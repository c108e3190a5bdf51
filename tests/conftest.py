"""Test-wide guards: no network, no real credentials, every KMS answer checked, no leaks.

Also the suite's defaults: two xdist workers unless told otherwise, a
deterministic hypothesis profile, and a summary of the reliability counts.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import sys
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import kms_checks
import pytest
import requests.adapters
from botocore.config import Config
from botocore.handlers import BUILTIN_HANDLERS
from hypothesis import HealthCheck, settings

import kmsmock.activation

pytest_plugins = ["pytester"]

# No test may reach AWS, or the EC2 metadata service looking for credentials.
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
for _name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
    os.environ.pop(_name, None)

# Every botocore session the tests create checks every KMS answer it receives.
BUILTIN_HANDLERS.append(("after-call.kms", kms_checks.after_call))

# Hypothesis runs the same examples on every run, so CI never flakes; its
# example database stays off for the same reason. Run with
# --hypothesis-profile=kmsmock-explore to search with fresh random seeds.
settings.register_profile(
    "kmsmock",
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "kmsmock-explore",
    parent=settings.get_profile("kmsmock"),
    derandomize=False,
)
settings.load_profile("kmsmock")

DEFAULT_WORKERS = 2
"""xdist workers a plain ``pytest`` run uses (CI runs plain ``pytest``)."""


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> None:
    """Run on two xdist workers, unless -n, -p no:xdist, -s or --pdb says otherwise."""
    if not config.pluginmanager.hasplugin("xdist") or hasattr(config, "workerinput"):
        return
    if (
        config.option.numprocesses is None
        and config.option.dist == "no"
        and not config.option.usepdb
        and config.option.capture != "no"
    ):
        config.option.numprocesses = DEFAULT_WORKERS


# -- no network ------------------------------------------------------------------------


class OutboundConnectionBlocked(AssertionError):
    """A test tried to reach a host other than this machine's loopback."""


_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})


def is_loopback(host: object) -> bool:
    """True for a host that names this machine's loopback (None and "" bind locally)."""
    if host is None:
        return True
    text = host.decode("ascii", "replace") if isinstance(host, bytes) else str(host)
    text = text.strip().strip("[]").lower()
    if text in ("", *_LOOPBACK_NAMES):
        return True
    try:
        return ipaddress.ip_address(text.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def _address_host(sock: Any, address: Any) -> object:
    if getattr(sock, "family", None) == getattr(socket, "AF_UNIX", object()):
        return None
    return address[0] if isinstance(address, tuple) else address


socket_events: list[tuple[str, tuple[Any, ...]]] | None = None
"""While a list, every socket audit event of the process is appended to it."""

_HOST_ARGUMENT: dict[str, Callable[[tuple[Any, ...]], object]] = {
    "socket.connect": lambda args: _address_host(args[0], args[1]),
    "socket.sendto": lambda args: _address_host(args[0], args[1]),
    "socket.sendmsg": lambda args: _address_host(args[0], args[1]),
    "socket.getaddrinfo": lambda args: args[0],
    "socket.gethostbyname": lambda args: args[0],
    "socket.gethostbyaddr": lambda args: args[0],
    "socket.getnameinfo": lambda args: args[0][0] if args[0] else None,
}


def _socket_guard(event: str, args: tuple[Any, ...]) -> None:
    """Audit hook: refuse every name lookup and connection that leaves the loopback.

    An audit hook sees the C-level socket calls, so it covers
    ``socket.create_connection``, ``getaddrinfo`` and every library that
    opens sockets its own way; the lookup is refused before any DNS query.
    """
    if not event.startswith("socket."):
        return
    if socket_events is not None:
        socket_events.append((event, args))
    host_of = _HOST_ARGUMENT.get(event)
    if host_of is None:
        return
    host = host_of(args)
    if not is_loopback(host):
        raise OutboundConnectionBlocked(f"{event} to {host!r} blocked in tests")


sys.addaudithook(_socket_guard)


@pytest.fixture
def socket_log() -> Iterator[list[tuple[str, tuple[Any, ...]]]]:
    """Every socket audit event (creation, lookup, connection...) while the test runs."""
    global socket_events
    socket_events = []
    try:
        yield socket_events
    finally:
        socket_events = None


# -- isolation -------------------------------------------------------------------------


def _aws_environment() -> dict[str, str]:
    return {name: value for name, value in os.environ.items() if name.startswith("AWS_")}


def _our_handlers() -> list[Any]:
    """kmsmock's and kms_checks' entries in botocore's builtin handlers."""
    return [
        spec
        for spec in BUILTIN_HANDLERS
        if getattr(spec[1], "__module__", "").startswith(("kmsmock", "kms_checks"))
    ]


@pytest.fixture(autouse=True, scope="module")
def _no_activation_survives_a_module() -> Iterator[None]:
    """Each module starts with kmsmock inactive: no earlier module left a mock running."""
    assert kmsmock.activation.depth() == 0, "an earlier module left kmsmock active"
    yield
    leaked = kmsmock.activation.depth()
    while kmsmock.activation.depth():
        kmsmock.activation.deactivate()
    assert leaked == 0, f"this module left kmsmock active ({leaked} activations)"


@pytest.fixture(autouse=True)
def _no_state_survives_a_test() -> Iterator[None]:
    """A test leaves no activation, credential variable or transport patch behind it."""
    depth = kmsmock.activation.depth()
    environment = _aws_environment()
    send = requests.adapters.HTTPAdapter.send
    handlers = _our_handlers()
    yield
    leaked = kmsmock.activation.depth() - depth
    while kmsmock.activation.depth() > depth:
        kmsmock.activation.deactivate()
    assert leaked == 0, f"the test left kmsmock active ({leaked} activations)"
    if depth == 0:
        assert kmsmock.activation.current() is None
        assert _aws_environment() == environment, "the test changed the AWS_* variables"
        assert requests.adapters.HTTPAdapter.send is send, "HTTPAdapter.send is still patched"
    assert _our_handlers() == handlers, "the test changed kmsmock's botocore handlers"


# -- reliability counts ----------------------------------------------------------------

COUNT_PREFIX = "kmsmock-count:"
_counts: dict[str, int] = {}


@pytest.fixture
def report_count(record_property: Callable[[str, object], None]) -> Callable[[str, int], None]:
    """Report a count (threads, operations, sequences, cases) in the run's summary."""

    def report(label: str, value: int) -> None:
        record_property(COUNT_PREFIX + label, value)

    return report


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Collect the counts tests reported (under xdist, from every worker)."""
    if report.when != "call":
        return
    for name, value in report.user_properties:
        if isinstance(name, str) and name.startswith(COUNT_PREFIX) and isinstance(value, int):
            label = name[len(COUNT_PREFIX) :]
            _counts[label] = _counts.get(label, 0) + value


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print the reliability counts at the end of the run."""
    if not _counts:
        return
    terminalreporter.write_sep("-", "kmsmock reliability counts")
    width = max(len(label) for label in _counts)
    for label in sorted(_counts):
        terminalreporter.write_line(f"{label:<{width}}  {_counts[label]:>9,}")


# -- clients ---------------------------------------------------------------------------


@pytest.fixture
def kms(kms_keystores: Any) -> Any:
    """A KMS client in us-east-1, made while the mock is active."""
    return boto3.client("kms", region_name="us-east-1")


@pytest.fixture
def lenient_kms(kms_keystores: Any) -> Any:
    """A KMS client whose own parameter validation is off: kmsmock sees every value."""
    return boto3.client("kms", region_name="us-east-1", config=Config(parameter_validation=False))


@pytest.fixture
def make_client(kms_keystores: Any) -> Callable[..., Any]:
    """Makes more KMS clients: ``make_client(region=..., account=...)``."""

    def make(region: str = "us-east-1", account: str | None = None, **kwargs: Any) -> Any:
        credentials = kms_keystores.credentials(account) if account else {}
        return boto3.client("kms", region_name=region, **credentials, **kwargs)

    return make


@pytest.fixture
def no_aws_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> Iterator[None]:
    """A machine with no AWS credentials or config at all."""
    for name in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_SECURITY_TOKEN",
        "AWS_DEFAULT_REGION",
        "AWS_REGION",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    yield


@pytest.fixture
def frozen_now() -> Iterator[float]:
    """The wall clock, frozen for the test (only ``advance`` moves the mock clock); its time."""
    from material_helpers import frozen_wall_time

    with frozen_wall_time() as now:
        yield now


@pytest.fixture
def west(make_client: Any) -> Any:
    """A client of the mock's account in us-west-2 (the multi-Region tests' second Region)."""
    return make_client(region="us-west-2")
