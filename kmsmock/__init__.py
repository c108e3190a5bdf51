"""kmsmock: test code that manages AWS KMS custom key stores, without AWS.

>>> from kmsmock import mock_kms_keystores
>>> with mock_kms_keystores() as ks:
...     pass

Importing kmsmock registers its botocore hooks, which stay inert until a mock
is started; it does not import pytest, ``responses`` or ``requests``. The
simulated objects (``CloudHsmCluster``, ``XksProxy``, ``ExternalKey``) load
when first named.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .calls import Call
from .domain.secret import Secret
from .errors import (
    InactiveMockError,
    KmsMockError,
    OptionsConflictError,
    UnimplementedOperationError,
)
from .handle import ClientCredentials, KmsKeystores
from .mock import MockKmsKeystores, mock_kms_keystores
from .transport import botocore_transport as _botocore_transport

if TYPE_CHECKING:
    from .domain.backing.cluster import CloudHsmCluster
    from .domain.backing.proxy import ExternalKey, XksProxy

__all__ = [
    "Call",
    "ClientCredentials",
    "CloudHsmCluster",
    "ExternalKey",
    "InactiveMockError",
    "KmsKeystores",
    "KmsMockError",
    "MockKmsKeystores",
    "OptionsConflictError",
    "Secret",
    "UnimplementedOperationError",
    "XksProxy",
    "__version__",
    "mock_kms_keystores",
]

__version__ = "0.1.0"
"""The installed version of kmsmock."""

_LAZY = {
    "CloudHsmCluster": ".domain.backing.cluster",
    "ExternalKey": ".domain.backing.proxy",
    "XksProxy": ".domain.backing.proxy",
}


def __getattr__(name: str) -> Any:
    """The simulated objects' classes, imported when first named."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'kmsmock' has no attribute {name!r}")
    return getattr(importlib.import_module(module, __name__), name)


_botocore_transport.install()
