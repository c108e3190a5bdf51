"""Fake credentials that act as an AWS account, and the account a request acts as."""

from __future__ import annotations

import functools
import re
from typing import Final

__all__ = [
    "ACCOUNT_ID_FORM",
    "DEFAULT_ACCOUNT_ID",
    "FAKE_SECRET_ACCESS_KEY",
    "access_key_for",
    "check_account_id",
    "is_mock_access_key",
    "mock_account",
]

DEFAULT_ACCOUNT_ID: Final = "123456789012"
"""The account a mock acts as unless told otherwise (the one AWS documentation uses)."""
FAKE_SECRET_ACCESS_KEY: Final = "kmsmock0fake0secret0access0key0never0used"
"""The secret of every fake credential kmsmock signs with: never a real one."""

_PREFIX: Final = "AKIAKMSM"
ACCOUNT_ID_FORM: Final = re.compile(r"[0-9]{12}")
"""What an AWS account id looks like (to match in full)."""
_MOCK_KEY = re.compile(_PREFIX + r"([0-9]{12})")


def check_account_id(account_id: object) -> str:
    """Return ``account_id`` if it is twelve digits, as AWS account ids are; else raise."""
    if not isinstance(account_id, str) or ACCOUNT_ID_FORM.fullmatch(account_id) is None:
        raise ValueError(f"an AWS account id is a string of 12 digits, not {account_id!r}")
    return account_id


def access_key_for(account_id: str) -> str:
    """The fake access key id that acts as ``account_id`` (20 characters, like AWS's)."""
    return _PREFIX + check_account_id(account_id)


@functools.lru_cache(maxsize=1024)
def mock_account(access_key: str | None) -> str | None:
    """The account of an access key id that :func:`access_key_for` made; None for others."""
    if access_key is None:
        return None
    match = _MOCK_KEY.fullmatch(access_key)
    return None if match is None else match.group(1)


def is_mock_access_key(access_key: str | None) -> bool:
    """True for an access key id that :func:`access_key_for` made."""
    return mock_account(access_key) is not None
