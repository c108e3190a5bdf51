"""KMS keys and aliases, and the rules of their life: creation and deletion."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import NamedTuple

from .aws_error import AwsError
from .connection import Action, gate, keys_usable
from .key_material import MATERIAL_BYTES, KeyMaterials, generated_materials
from .key_specs import ENCRYPT_DECRYPT, HMAC_KEY_BYTES, SYMMETRIC_DEFAULT
from .key_states import KeyState, KeyUse, check_key_use
from .randomness import new_key_id, new_multi_region_key_id
from .stores import CloudHsmSettings, CustomKeyStore, KeyStoreType

__all__ = [
    "Alias",
    "KmsKey",
    "LastUse",
    "RelatedKeys",
    "cancel_deletion",
    "check_store_for_new_key",
    "default_policy",
    "new_key",
    "schedule_deletion",
    "start_waiting_period",
]


class LastUse(NamedTuple):
    """The last successful cryptographic operation with a key, and when (GetKeyLastUsage)."""

    operation: str
    time: float


@dataclass(eq=False, slots=True)
class RelatedKeys:
    """A set of related multi-Region keys, shared by each of them: where its keys are.

    Every related key has the same key id in the same account, one per Region
    in ``regions`` (in the order they were made); the one in
    ``primary_region`` is the primary key. The rules that use it live in
    :mod:`.multi_region`.
    """

    primary_region: str
    regions: list[str]


@dataclass(eq=False, slots=True)
class KmsKey:
    """A KMS key: symmetric encryption, HMAC or asymmetric, as its ``key_spec`` says.

    ``enabled`` is what EnableKey and DisableKey last set; the key state is
    derived from it and from the key's ``materials`` (:attr:`state`).
    ``materials`` are the secrets of a symmetric key (256-bit AES keys, see
    :mod:`.key_material`) or of an HMAC key; :attr:`material` and
    :attr:`material_id` are the current one's. ``store`` is the custom key
    store the key lives in. ``next_rotation`` is when automatic rotation next
    rotates it (None: automatic rotation is off). ``key_spec`` and
    ``key_usage`` are CreateKey's KeySpec and KeyUsage. An asymmetric key's
    private key is ``private_key`` (PKCS #8 DER), made when first needed
    (:func:`kmsmock.domain.key_pairs.private_key_of`), so that creating an
    RSA key costs no more than creating a symmetric one. ``related`` is the
    set of related multi-Region keys a multi-Region key belongs to (None: a
    single-Region key); related keys whose material KMS generates share one
    ``materials``, so that a rotation applies to all of them.
    """

    id: str
    arn: str
    account_id: str
    region: str
    seq: int
    created: float
    origin: str
    policy: str
    materials: KeyMaterials = field(default_factory=KeyMaterials, repr=False)
    description: str = ""
    enabled: bool = True
    deletion_date: float | None = None
    pending_window_days: int | None = None
    store: CustomKeyStore | None = field(default=None, repr=False)
    cloudhsm_cluster_id: str | None = None
    xks_key_id: str | None = None
    rotation_period_days: int | None = None
    next_rotation: float | None = None
    tags: dict[str, str] = field(default_factory=dict)
    last_used: LastUse | None = None
    key_spec: str = SYMMETRIC_DEFAULT
    key_usage: str = ENCRYPT_DECRYPT
    private_key: bytes | None = field(default=None, repr=False)
    related: RelatedKeys | None = field(default=None, repr=False)

    @property
    def state(self) -> KeyState:
        """The key's current key state, derived from what it holds.

        A key scheduled for deletion is PendingDeletion once its waiting period
        runs (it has a deletion date), and PendingReplicaDeletion before (a
        multi-Region primary key waiting for its replicas to be deleted);
        otherwise a key whose custom key store cannot use its keys (it is not CONNECTED) is
        Unavailable; otherwise a key with imported key material that lacks
        any of it (never imported, deleted or expired) is PendingImport;
        otherwise it is Enabled or Disabled as its owner last set it.
        """
        if self.deletion_date is not None:
            return KeyState.PENDING_DELETION
        if self.pending_window_days is not None:
            return KeyState.PENDING_REPLICA_DELETION
        if self.store is not None and not keys_usable(self.store.state):
            return KeyState.UNAVAILABLE
        if self.origin == "EXTERNAL" and not self.materials.complete():
            return KeyState.PENDING_IMPORT
        return KeyState.ENABLED if self.enabled else KeyState.DISABLED

    @property
    def material(self) -> bytes:
        """The current key material (the key must be usable).

        A symmetric encryption key's AES key, an HMAC key's secret, or the
        imported private key (PKCS #8 DER) of an asymmetric key with Origin
        EXTERNAL.
        """
        current = self.materials.current()
        assert current is not None and current.secret is not None, "a usable key has material"
        return current.secret

    @property
    def material_id(self) -> str | None:
        """The current key material's id (None before a first import)."""
        current = self.materials.current()
        return None if current is None else current.id

    def check_use(self, use: KeyUse) -> None:
        """Raise the error the key state table gives for ``use`` in the key's current state."""
        check_key_use(self.arn, self.state, use)


@dataclass(eq=False, slots=True)
class Alias:
    """An alias and the key it points to."""

    name: str
    arn: str
    target_key_id: str
    created: float
    updated: float
    seq: int


_POLICY = """{
  "Version" : "2012-10-17",
  "Id" : "key-default-1",
  "Statement" : [ {
    "Sid" : "Enable IAM User Permissions",
    "Effect" : "Allow",
    "Principal" : {
      "AWS" : "arn:aws:iam::%s:root"
    },
    "Action" : "kms:*",
    "Resource" : "*"
  } ]
}"""


@functools.lru_cache(maxsize=64)
def default_policy(account_id: str) -> str:
    """The key policy KMS gives a key created without one."""
    return _POLICY % account_id


def new_key(
    *,
    account_id: str,
    region: str,
    seq: int,
    now: float,
    description: str = "",
    policy: str | None = None,
    origin: str = "AWS_KMS",
    store: CustomKeyStore | None = None,
    xks_key_id: str | None = None,
    tags: dict[str, str] | None = None,
    key_spec: str = SYMMETRIC_DEFAULT,
    key_usage: str = ENCRYPT_DECRYPT,
    multi_region: bool = False,
) -> KmsKey:
    """A new key (the caller checked the store, the spec and the usage).

    It is Enabled, with fresh material for a symmetric or HMAC key (an
    asymmetric key's key pair is made when first used); or, with Origin
    EXTERNAL, PendingImport until its material is imported. A
    ``multi_region`` key is a multi-Region primary key, with no replicas yet.
    """
    key_id = new_multi_region_key_id() if multi_region else new_key_id()
    return KmsKey(
        id=key_id,
        arn=f"arn:aws:kms:{region}:{account_id}:key/{key_id}",
        account_id=account_id,
        region=region,
        seq=seq,
        created=now,
        origin=origin,
        policy=policy if policy is not None else default_policy(account_id),
        materials=_new_materials(origin, key_spec),
        description=description,
        store=store,
        cloudhsm_cluster_id=(
            store.settings.cluster_id
            if store is not None and isinstance(store.settings, CloudHsmSettings)
            else None
        ),
        xks_key_id=xks_key_id,
        tags=dict(tags or {}),
        key_spec=key_spec,
        key_usage=key_usage,
        related=RelatedKeys(region, [region]) if multi_region else None,
    )


def _new_materials(origin: str, key_spec: str) -> KeyMaterials:
    """A new key's secrets: none yet for imported material or a key pair made on first use."""
    if origin == "EXTERNAL" or (key_spec != SYMMETRIC_DEFAULT and key_spec not in HMAC_KEY_BYTES):
        return KeyMaterials()
    return generated_materials(HMAC_KEY_BYTES.get(key_spec, MATERIAL_BYTES))


def check_store_for_new_key(store: CustomKeyStore, origin: str) -> None:
    """The CreateKey rules that depend only on the store: the right origin, and CONNECTED."""
    expected = "AWS_CLOUDHSM" if store.type is KeyStoreType.AWS_CLOUDHSM else "EXTERNAL_KEY_STORE"
    if origin != expected:
        raise AwsError(
            "UnsupportedOperationException",
            f"Origin {origin} is not valid for custom key store '{store.id}' of type "
            f"{store.type.value}; use Origin {expected}.",
        )
    gate(store, Action.CREATE_KEY)


def schedule_deletion(key: KmsKey, *, now: float, days: int) -> None:
    """Put a key in PendingDeletion for ``days`` days (7 to 30).

    A multi-Region primary key that still has replica keys waits, in
    PendingReplicaDeletion, until the last of them is deleted; its waiting
    period starts then (see :func:`start_waiting_period`).
    """
    key.check_use(KeyUse.SCHEDULE_DELETION)
    key.pending_window_days = days
    related = key.related
    waits = (
        related is not None and related.primary_region == key.region and len(related.regions) > 1
    )
    if not waits:
        start_waiting_period(key, now)


def start_waiting_period(key: KmsKey, now: float) -> None:
    """Start the waiting period of a key whose deletion is scheduled: deleted ``days`` on."""
    assert key.pending_window_days is not None
    key.deletion_date = now + key.pending_window_days * 86400


def cancel_deletion(key: KmsKey) -> None:
    """Take a key out of PendingDeletion; it is Disabled afterwards, as in AWS."""
    key.check_use(KeyUse.CANCEL_DELETION)
    key.deletion_date = None
    key.pending_window_days = None
    key.enabled = False
