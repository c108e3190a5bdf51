"""kmsmock's pytest plugin (entry point ``pytest11``): the ``kms_keystores`` fixture and marker.

::

    @pytest.mark.kms_keystores(connect_delay=None)
    def test_connect(kms_keystores):
        ...
        kms_keystores.settle()

A test with the marker runs with the mock active even if it does not ask for
the fixture. The fixture's options are the marker's merged with those of any
``@mock_kms_keystores(...)`` decorating the test (or its class), so the
decorator joins the fixture's mock; an option that the marker and a decorator
set to different values raises :class:`kmsmock.OptionsConflictError`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from .errors import OptionsConflictError
from .handle import KmsKeystores
from .mock import MockKmsKeystores, decorator_mocks

__all__ = ["kms_keystores", "kms_server", "pytest_configure"]

MARKER = "kms_keystores"


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``kms_keystores`` marker."""
    config.addinivalue_line(
        "markers",
        f"{MARKER}(**options): run the test with kmsmock active, with these options (account_id, "
        "region, strict, connect_delay, disconnect_delay, real_retry_sleep); the kms_keystores "
        "fixture is the handle",
    )


def _marker_mock(request: pytest.FixtureRequest) -> MockKmsKeystores | None:
    marker = request.node.get_closest_marker(MARKER)
    if marker is None:
        return None
    if marker.args:
        raise pytest.UsageError(
            "@pytest.mark.kms_keystores takes keyword options only, such as "
            "@pytest.mark.kms_keystores(connect_delay=60)"
        )
    return MockKmsKeystores(**marker.kwargs)


def _options(request: pytest.FixtureRequest) -> dict[str, Any]:
    """The marker's options merged with the decorators' (a disagreement raises)."""
    sources: list[tuple[str, MockKmsKeystores]] = []
    marker_mock = _marker_mock(request)
    if marker_mock is not None:
        shown = repr(marker_mock).removeprefix("mock_kms_keystores")
        sources.append((f"@pytest.mark.kms_keystores{shown}", marker_mock))
    node = request.node
    for mock in decorator_mocks(getattr(node, "obj", None), getattr(node, "cls", None)):
        sources.append((f"@{mock!r}", mock))
    merged: dict[str, Any] = {}
    given_by: dict[str, str] = {}
    conflicts: list[str] = []
    for source, mock in sources:
        for name, value in mock.explicit_options().items():
            if name not in merged:
                merged[name], given_by[name] = value, source
            elif merged[name] != value:
                conflicts.append(
                    f"{name}={merged[name]!r} ({given_by[name]}) and {name}={value!r} ({source})"
                )
    if conflicts:
        raise OptionsConflictError(
            f"{node.name}: the kms_keystores marker and @mock_kms_keystores decorators configure "
            "one mock, so they cannot give an option different values; conflicting: "
            + "; ".join(conflicts)
        )
    return merged


@pytest.fixture
def kms_keystores(request: pytest.FixtureRequest) -> Iterator[KmsKeystores]:
    """An active kmsmock for the test, configured by ``@pytest.mark.kms_keystores(...)``.

    Options of a ``@mock_kms_keystores(...)`` decorating the test, or its
    class, apply too; the decorator then joins this fixture's mock.
    """
    with MockKmsKeystores(**_options(request)) as handle:
        yield handle


@pytest.fixture(autouse=True)
def _kms_keystores_marker(request: pytest.FixtureRequest) -> None:
    """A test marked ``@pytest.mark.kms_keystores`` runs mocked, fixture requested or not."""
    if request.node.get_closest_marker(MARKER) is not None:
        request.getfixturevalue("kms_keystores")


@pytest.fixture
def kms_server() -> Iterator[Any]:
    """A kmsmock server for the test, on a free port of this machine's loopback.

    Point an SDK at ``kms_server.url``; ``kms_server.handle`` steers it as a
    mock's handle does, and its control API answers at ``kms_server.url +
    "/_kmsmock"``. Each test, and each pytest-xdist worker, gets its own.
    """
    from .server import KmsServer

    with KmsServer() as server:
        yield server
