"""Finding the key a request names, as each operation's reference text allows."""

from __future__ import annotations

import functools

from ..domain.keyring import KeyLookup, state_of
from ..domain.keys import KeyState, KeyUse, KmsKey, key_state, require_key_state
from ..domain.keystore import CustomKeyStore
from ..domain.region import RegionState
from ..protocol.model import key_reference_rules
from .registry import Context

__all__ = ["find_key", "key_region", "key_state_of", "key_store", "lookup"]


@functools.cache
def lookup(operation: str, member: str) -> KeyLookup:
    """How ``operation`` finds a key from ``member`` (aliases? other accounts?)."""
    aliases, cross_account, invalid_arn_code = key_reference_rules(operation, member)
    return KeyLookup(aliases, cross_account, invalid_arn_code)


def find_key(ctx: Context, ref: str, use: KeyUse, member: str = "KeyId") -> KmsKey:
    """The key ``ref`` names, after checking that its key state allows ``use``."""
    key = ctx.region.keys.get(ref)  # the usual case: a key id of the caller's own
    if key is None:
        key = lookup(ctx.operation, member).find(ctx.backend.regions, ctx.region, ref)
    if key.store_id is None:  # the key state depends on the key alone
        if key.enabled and key.deletion_date is None and use is not KeyUse.CANCEL_DELETION:
            return key  # Enabled, which allows every other use (the common case, inline)
        state = key_state(key, None)
    else:
        state = state_of(key_region(ctx, key), key)
    require_key_state(key, state, use)
    return key


def key_region(ctx: Context, key: KmsKey) -> RegionState:
    """The account and region the key lives in."""
    region = ctx.region
    if key.account_id == region.account_id and key.region == region.region:
        return region  # the caller's own, as a rule
    return ctx.backend.region(key.account_id, key.region)


def key_state_of(ctx: Context, key: KmsKey) -> KeyState:
    """The key's current key state."""
    if key.store_id is None:  # only a key in a custom key store depends on more than itself
        return key_state(key, None)
    return state_of(key_region(ctx, key), key)


def key_store(ctx: Context, key: KmsKey) -> CustomKeyStore | None:
    """The custom key store the key lives in, if any."""
    if key.store_id is None:
        return None
    return key_region(ctx, key).stores.get(key.store_id)
