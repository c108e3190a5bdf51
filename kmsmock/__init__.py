"""kmsmock: test code that manages AWS KMS custom key stores, without AWS.

>>> from kmsmock import mock_kms_keystores
>>> with mock_kms_keystores() as ks:
...     pass

Importing kmsmock registers its botocore hooks, which stay inert until a mock
is started; it does not import pytest, ``responses`` or ``requests``.
"""

from __future__ import annotations

from .calls import Call
from .errors import KmsMockError, OptionsConflictError, UnimplementedOperationError
from .handle import KmsKeystores
from .mock import MockKmsKeystores, mock_kms_keystores
from .transport import botocore_transport as _botocore_transport

__all__ = [
    "Call",
    "KmsKeystores",
    "KmsMockError",
    "MockKmsKeystores",
    "OptionsConflictError",
    "UnimplementedOperationError",
    "__version__",
    "mock_kms_keystores",
]

__version__ = "0.1.0.dev0"

_botocore_transport.install()
