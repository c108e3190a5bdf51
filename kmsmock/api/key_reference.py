"""Finding the key a request names, as each operation's reference text allows, and checking it."""

from __future__ import annotations

import functools

from ..domain.key_lookup import KeyLookup
from ..domain.key_states import KeyUse
from ..domain.keys import KmsKey
from ..domain.scope import AccountRegion
from ..model import key_reference_rules
from .registry import Context

__all__ = ["find_key", "key_owner", "lookup"]


@functools.cache
def lookup(operation: str, member: str) -> KeyLookup:
    """How ``operation`` finds a key from ``member`` (aliases? other accounts?)."""
    aliases, cross_account, invalid_arn_code = key_reference_rules(operation, member)
    return KeyLookup(aliases, cross_account, invalid_arn_code)


def find_key(ctx: Context, ref: str, use: KeyUse, member: str = "KeyId") -> KmsKey:
    """The key ``ref`` names, after checking that its key state allows ``use``."""
    key = lookup(ctx.operation, member).find(ctx.scope, ref, ctx.kms.peek)
    key.check_use(use)
    return key


def key_owner(ctx: Context, key: KmsKey) -> AccountRegion:
    """What the key's own account holds in the key's region."""
    if key.account_id == ctx.account_id and key.region == ctx.region:
        return ctx.scope  # the caller's own, as a rule
    return ctx.kms.scope(key.account_id, key.region)
