"""Test-wide guards: no network, no real credentials, every KMS answer checked."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import kms_checks
import pytest
from botocore.config import Config
from botocore.handlers import BUILTIN_HANDLERS

pytest_plugins = ["pytester"]

# No test may reach AWS, or the EC2 metadata service looking for credentials.
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
for _name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
    os.environ.pop(_name, None)

# Every botocore session the tests create checks every KMS answer it receives.
BUILTIN_HANDLERS.append(("after-call.kms", kms_checks.after_call))

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


class OutboundConnectionBlocked(AssertionError):
    """A test tried to open a non-loopback connection."""


def _check_address(sock: socket.socket, address: Any) -> None:
    if sock.family == socket.AF_UNIX:
        return
    host = address[0] if isinstance(address, tuple) else address
    if host in ("127.0.0.1", "::1", "localhost") or str(host).startswith("127."):
        return
    raise OutboundConnectionBlocked(f"outbound connection to {address!r} blocked in tests")


def _guarded_connect(self: socket.socket, address: Any) -> Any:
    _check_address(self, address)
    return _real_connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: Any) -> Any:
    _check_address(self, address)
    return _real_connect_ex(self, address)


socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]


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
