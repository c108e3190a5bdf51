"""The backing stores of custom key stores: CloudHSM clusters and XKS proxies.

- :mod:`.cluster` and :mod:`.proxy`: the simulated objects a test can break;
- :mod:`.world`: where they live, and how they come to be (provisioning);
- :mod:`.cloudhsm` and :mod:`.xks`: what KMS answers, derived from their state.

The functions here send each question to the rules of the store's type.
"""

from __future__ import annotations

from ..keys import KmsKey
from ..scope import AccountRegion
from ..stores import CloudHsmSettings, CustomKeyStore, XksSettings
from . import cloudhsm, xks
from .world import World

__all__ = [
    "World",
    "check_connect",
    "check_create_key",
    "connect_failure",
    "crypto_materials",
    "verify_settings",
]


def verify_settings(
    world: World,
    scope: AccountRegion,
    settings: CloudHsmSettings | XksSettings,
    store: CustomKeyStore | None = None,
) -> None:
    """KMS's probe of the backing store a create (``store`` None) or an update names."""
    if isinstance(settings, XksSettings):
        xks.check_for_store(world, scope, settings)
    elif store is None:
        cloudhsm.check_for_create(world, scope, settings)
    else:
        cloudhsm.check_for_update(world, scope, store, settings)


def check_connect(world: World, scope: AccountRegion, store: CustomKeyStore) -> None:
    """Failures ConnectCustomKeyStore raises at once, before the store starts CONNECTING."""
    if isinstance(store.settings, CloudHsmSettings):
        cloudhsm.check_connect(world, scope, store)


def connect_failure(world: World, scope: AccountRegion, store: CustomKeyStore) -> str | None:
    """The ConnectionErrorCode a connection attempt ends with, or None when it connects."""
    if isinstance(store.settings, CloudHsmSettings):
        return cloudhsm.connect_failure(world, scope, store)
    return xks.connect_failure(world, scope, store)


def check_create_key(
    world: World, scope: AccountRegion, store: CustomKeyStore, xks_key_id: str | None
) -> None:
    """The checks CreateKey makes of the backing store of a CONNECTED custom key store."""
    if isinstance(store.settings, CloudHsmSettings):
        cloudhsm.check_create_key(world, scope, store)
    else:
        assert xks_key_id is not None
        xks.check_create_key(world, scope, store, xks_key_id)


def crypto_materials(world: World, key: KmsKey, own: bytes | None = None) -> tuple[bytes, ...]:
    """The AES keys a cryptographic operation with ``key`` uses, innermost first.

    ``own`` is the KMS key's own material to use (its current one if None).
    A key in an external key store is sealed twice: with its own material,
    then with the external key its proxy holds. Raises KMSInvalidStateException
    when the backing store cannot serve the operation.
    """
    own = key.material if own is None else own
    store = key.store
    if store is None:
        return (own,)
    if isinstance(store.settings, CloudHsmSettings):
        cloudhsm.check_crypto(world, key)
        return (own,)
    return (own, xks.external_material(world, key))
