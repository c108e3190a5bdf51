"""The rules of KMS keys: creating them, finding them, and their deletion.

Finding a key follows the reference text in botocore's model: which
operations accept an alias, and which accept another account's key ARN,
are decided by the caller (see :mod:`kmsmock.api.keyref`).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from .connection import Action, ConnectionState
from .errors import AwsError
from .keys import KeyState, KeyUse, KmsKey, key_state, require_key_state
from .keystore import CloudHsmSettings, CustomKeyStore, KeyStoreType
from .keystores import require
from .randomness import key_identities
from .region import RegionState

__all__ = [
    "KeyLookup",
    "default_policy",
    "new_key",
    "parse_key_arn",
    "state_of",
]

_KEY_ID = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32}"
)
_ARN = re.compile(r"arn:aws[a-z-]*:kms:([a-z0-9-]+):([0-9]{12}):(key|alias)/(.+)")

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
    region: RegionState,
    *,
    now: float,
    description: str,
    policy: str | None,
    origin: str,
    store: CustomKeyStore | None = None,
    xks_key_id: str | None = None,
    tags: dict[str, str] | None = None,
) -> KmsKey:
    """Create an Enabled symmetric encryption key (the caller checked the store)."""
    try:
        key_id, material, material_id = key_identities.pop()
    except IndexError:  # the batch ran out
        key_id, material, material_id = key_identities.refill()
    # Positional, in KmsKey's field order: binding its fields by keyword costs twice as much.
    key = KmsKey(
        key_id,
        region.arn(f"key/{key_id}"),
        region.account_id,
        region.region,
        region.next_seq(),
        now,
        origin,
        policy if policy is not None else default_policy(region.account_id),
        material,
        material_id,
        description,
    )
    if store is not None:
        key.store_id = store.id
        if isinstance(store.settings, CloudHsmSettings):
            key.cloudhsm_cluster_id = store.settings.cluster_id
    if xks_key_id is not None:
        key.xks_key_id = xks_key_id
    if tags:
        key.tags = dict(tags)
    region.add_key(key)
    return key


def check_store_for_new_key(store: CustomKeyStore, origin: str) -> None:
    """The CreateKey rules that depend only on the store: CONNECTED, and the right origin."""
    expected = "AWS_CLOUDHSM" if store.type is KeyStoreType.AWS_CLOUDHSM else "EXTERNAL_KEY_STORE"
    if origin != expected:
        raise AwsError(
            "UnsupportedOperationException",
            f"Origin {origin} is not valid for custom key store '{store.id}' of type "
            f"{store.type.value}; use Origin {expected}.",
        )
    require(store, Action.CREATE_KEY)


def state_of(region: RegionState, key: KmsKey) -> KeyState:
    """The key's current key state."""
    store_state: ConnectionState | None = None
    if key.store_id is not None:
        store = region.stores.get(key.store_id)
        store_state = store.state if store is not None else ConnectionState.DISCONNECTED
    return key_state(key, store_state)


def parse_key_arn(text: str) -> tuple[str, str, str, str] | None:
    """``(region, account, "key" or "alias", id or name)`` of a KMS ARN, or None."""
    match = _ARN.fullmatch(text)
    if match is None:
        return None
    region, account, kind, rest = match.groups()
    return region, account, kind, rest


@dataclass(frozen=True, slots=True)
class KeyLookup:
    """How an operation finds the key a KeyId names.

    ``aliases``: the operation accepts alias names and alias ARNs.
    ``cross_account``: it accepts a key ARN in another account.
    ``invalid_arn_code``: the error it raises for an ARN it cannot use.
    """

    aliases: bool
    cross_account: bool
    invalid_arn_code: str

    def find(
        self, regions: dict[tuple[str, str], RegionState], caller: RegionState, ref: str
    ) -> KmsKey:
        """The key ``ref`` names, or the NotFoundException AWS answers."""
        key = caller.keys.get(ref)
        if key is not None:  # the usual case: a key id of the caller's own
            return key
        if ref.startswith("arn:"):
            parsed = parse_key_arn(ref)
            if parsed is None:
                raise AwsError(self.invalid_arn_code, f"Invalid arn {ref}")
            region_name, account, kind, rest = parsed
            if region_name != caller.region:
                raise AwsError("NotFoundException", f"Invalid arn {region_name}")
            if kind == "alias":
                if account != caller.account_id:
                    raise self._alias_not_found(ref)
                return self._by_alias(caller, f"alias/{rest}")
            if account == caller.account_id:
                return self._by_id(caller, rest)
            if not self.cross_account:
                raise AwsError("NotFoundException", f"Key '{ref}' does not exist")
            owner = regions.get((account, region_name)) or RegionState(account, region_name)
            return self._by_id(owner, rest)
        if ref.startswith("alias/"):
            return self._by_alias(caller, ref)
        return self._by_id(caller, ref)

    def _alias_not_found(self, arn: str) -> AwsError:
        return AwsError("NotFoundException", f"Alias {arn} is not found.")

    def _by_alias(self, region: RegionState, name: str) -> KmsKey:
        if not self.aliases:
            raise AwsError(
                self.invalid_arn_code, "Key Aliases are not supported for this operation."
            )
        alias = region.aliases.get(name)
        if alias is None or alias.target_key_id not in region.keys:
            raise self._alias_not_found(region.arn(name))
        return region.keys[alias.target_key_id]

    @staticmethod
    def _by_id(region: RegionState, key_id: str) -> KmsKey:
        key = region.keys.get(key_id)
        if key is not None:
            return key
        if _KEY_ID.fullmatch(key_id) is None:
            raise AwsError("NotFoundException", f"Invalid keyId '{key_id}'")
        raise AwsError("NotFoundException", f"Key '{region.arn('key/' + key_id)}' does not exist")


def schedule_deletion(region: RegionState, key: KmsKey, *, now: float, days: int) -> None:
    """Put a key in PendingDeletion for ``days`` days (7 to 30)."""
    require_key_state(key, state_of(region, key), KeyUse.SCHEDULE_DELETION)
    key.deletion_date = now + days * 86400
    key.pending_window_days = days


def cancel_deletion(region: RegionState, key: KmsKey) -> None:
    """Take a key out of PendingDeletion; it is Disabled afterwards, as in AWS."""
    require_key_state(key, state_of(region, key), KeyUse.CANCEL_DELETION)
    key.deletion_date = None
    key.pending_window_days = None
    key.enabled = False
