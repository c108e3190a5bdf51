"""kmsmock's pytest plugin (entry point ``pytest11``): the ``kms_keystores`` fixture and marker.

::

    @pytest.mark.kms_keystores(connect_delay=None)
    def test_connect(kms_keystores):
        ...
        kms_keystores.settle()
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from . import mock_kms_keystores
from .handle import KmsKeystores

__all__ = ["kms_keystores", "pytest_configure"]


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``kms_keystores`` marker."""
    config.addinivalue_line(
        "markers",
        "kms_keystores(**options): options for the kms_keystores fixture (account_id, region, "
        "strict, connect_delay, disconnect_delay)",
    )


@pytest.fixture
def kms_keystores(request: pytest.FixtureRequest) -> Iterator[KmsKeystores]:
    """An active kmsmock for the test, configured by ``@pytest.mark.kms_keystores(...)``."""
    marker = request.node.get_closest_marker("kms_keystores")
    options = {}
    if marker is not None:
        if marker.args:
            raise pytest.UsageError(
                "@pytest.mark.kms_keystores takes keyword options only, such as "
                "@pytest.mark.kms_keystores(connect_delay=60)"
            )
        options = dict(marker.kwargs)
    with mock_kms_keystores(**options) as handle:
        yield handle
