"""Fake credentials that act as an AWS account, and the account a request acts as."""

from __future__ import annotations

import re
from typing import Final

__all__ = [
    "DEFAULT_ACCOUNT_ID",
    "FAKE_SECRET_ACCESS_KEY",
    "access_key_for",
    "account_for",
    "check_account_id",
    "is_mock_access_key",
    "known_accounts",
    "mock_account",
]

DEFAULT_ACCOUNT_ID: Final = "123456789012"
FAKE_SECRET_ACCESS_KEY: Final = "kmsmock0fake0secret0access0key0never0used"

_PREFIX: Final = "AKIAKMSM"
_ACCOUNT = re.compile(r"[0-9]{12}")
_MOCK_KEY = re.compile(_PREFIX + r"([0-9]{12})")


def check_account_id(account_id: object) -> str:
    """Return ``account_id`` if it is twelve digits, as AWS account ids are; else raise."""
    if not isinstance(account_id, str) or _ACCOUNT.fullmatch(account_id) is None:
        raise ValueError(f"an AWS account id is a string of 12 digits, not {account_id!r}")
    return account_id


def access_key_for(account_id: str) -> str:
    """The fake access key id that acts as ``account_id`` (20 characters, like AWS's)."""
    return _PREFIX + check_account_id(account_id)


def is_mock_access_key(access_key: str | None) -> bool:
    """True for an access key id that :func:`access_key_for` made."""
    return mock_account(access_key) is not None


def mock_account(access_key: str | None) -> str | None:
    """The account of an access key id that :func:`access_key_for` made; None for others."""
    if access_key is None or not access_key.startswith(_PREFIX):
        return None
    account = known_accounts.get(access_key)
    if account is None:
        match = _MOCK_KEY.fullmatch(access_key)
        if match is None:
            return None
        if len(known_accounts) >= 4096:
            known_accounts.clear()
        account = known_accounts[access_key] = match.group(1)
    return account


def account_for(access_key: str | None, default_account_id: str) -> str:
    """The account a request signed with ``access_key`` acts as.

    Keys made by :func:`access_key_for` act as their account; any other key,
    and an unsigned request, act as the default account.
    """
    return mock_account(access_key) or default_account_id


known_accounts: dict[str, str] = {}
"""Accounts of the mock access keys seen so far (a handful per test run).

A per-request caller may look here first; a miss means :func:`mock_account`.
"""
