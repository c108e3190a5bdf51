"""KMS keys, their key states, and which operations each key state allows.

The key state is derived, never stored: a key scheduled for deletion is
PendingDeletion; otherwise a key in a custom key store that is not CONNECTED
is Unavailable; otherwise it is Enabled or Disabled as its owner last set it.
That gives AWS's rules for free: reconnecting a store returns each key to the
state it had, and enabling or disabling an Unavailable key takes effect once
it is available again.

:data:`KEY_RULES` is the table of key state by kind of use, from the KMS
Developer Guide's "Key states of KMS keys" page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Final

from .connection import ConnectionState
from .errors import AwsError

__all__ = [
    "KEY_RULES",
    "Alias",
    "KeyState",
    "KeyUse",
    "KmsKey",
    "Outcome",
    "require_key_state",
]


class KeyState(str, Enum):
    """The KeyState values a symmetric encryption key can have."""

    ENABLED = "Enabled"
    DISABLED = "Disabled"
    PENDING_DELETION = "PendingDeletion"
    UNAVAILABLE = "Unavailable"


class KeyUse(str, Enum):
    """Kinds of operation on an existing key, grouped by how key state affects them."""

    CRYPTO = "Encrypt, Decrypt, ReEncrypt, GenerateDataKey, GenerateDataKeyWithoutPlaintext"
    ENABLE_DISABLE = "EnableKey, DisableKey"
    SCHEDULE_DELETION = "ScheduleKeyDeletion"
    CANCEL_DELETION = "CancelKeyDeletion"
    MODIFY = "CreateAlias, UpdateAlias, TagResource, UntagResource, UpdateKeyDescription"
    ROTATION = "EnableKeyRotation, DisableKeyRotation"
    READ = (
        "DescribeKey, GetKeyPolicy, PutKeyPolicy, ListKeyPolicies, ListResourceTags, "
        "GetKeyRotationStatus, ListAliases"
    )


class Outcome(str, Enum):
    """A cell of :data:`KEY_RULES`."""

    OK = "succeeds"
    DISABLED = "DisabledException: <key ARN> is disabled."
    PENDING = "KMSInvalidStateException: <key ARN> is pending deletion."
    UNAVAILABLE = "KMSInvalidStateException: <key ARN> is unavailable."
    NOT_PENDING = "KMSInvalidStateException: <key ARN> is not pending deletion."


OK, DISABLED, PENDING, UNAVAILABLE, NOT_PENDING = (
    Outcome.OK,
    Outcome.DISABLED,
    Outcome.PENDING,
    Outcome.UNAVAILABLE,
    Outcome.NOT_PENDING,
)
_COLUMNS: Final = (
    KeyState.ENABLED,
    KeyState.DISABLED,
    KeyState.PENDING_DELETION,
    KeyState.UNAVAILABLE,
)


def _row(*cells: Outcome) -> Mapping[KeyState, Outcome]:
    return dict(zip(_COLUMNS, cells, strict=True))


KEY_RULES: Final[Mapping[KeyUse, Mapping[KeyState, Outcome]]] = {
    #                           Enabled      Disabled     PendingDeletion  Unavailable
    KeyUse.CRYPTO:            _row(OK,          DISABLED,    PENDING,  UNAVAILABLE),
    KeyUse.ENABLE_DISABLE:    _row(OK,          OK,          PENDING,  OK),
    KeyUse.SCHEDULE_DELETION: _row(OK,          OK,          PENDING,  OK),
    KeyUse.CANCEL_DELETION:   _row(NOT_PENDING, NOT_PENDING, OK,       NOT_PENDING),
    KeyUse.MODIFY:            _row(OK,          OK,          PENDING,  OK),
    KeyUse.ROTATION:          _row(OK,          DISABLED,    PENDING,  OK),
    KeyUse.READ:              _row(OK,          OK,          OK,       OK),
}  # fmt: skip
"""What each kind of use does in each key state."""


@dataclass(eq=False, slots=True)
class KmsKey:
    """A symmetric encryption KMS key.

    ``enabled`` is what EnableKey and DisableKey last set; the key state is
    derived by :func:`key_state`. ``material`` is the 256-bit AES key, and
    ``material_id`` a stable 64-hex-digit id of it (random, like AWS's).
    :func:`~kmsmock.domain.keyring.new_key` passes the fields up to
    ``description`` by position, in this order.
    """

    id: str
    arn: str
    account_id: str
    region: str
    seq: int
    created: float
    origin: str
    policy: str
    material: bytes = field(repr=False)
    material_id: str = field(repr=False)
    description: str = ""
    enabled: bool = True
    deletion_date: float | None = None
    pending_window_days: int | None = None
    store_id: str | None = None
    cloudhsm_cluster_id: str | None = None
    xks_key_id: str | None = None
    rotation_period_days: int | None = None
    rotation_enabled_at: float | None = None
    tags: dict[str, str] = field(default_factory=dict)
    renderings: dict[str, str] = field(default_factory=dict, repr=False)
    """A cache the API layer keeps of the key's unchanging public fields, as JSON text."""


@dataclass(eq=False, slots=True)
class Alias:
    """An alias and the key it points to."""

    name: str
    arn: str
    target_key_id: str
    created: float
    updated: float
    seq: int


def key_state(key: KmsKey, store_state: ConnectionState | None) -> KeyState:
    """The key state of ``key``, given the ConnectionState of its store (None: no store)."""
    if key.deletion_date is not None:
        return KeyState.PENDING_DELETION
    if store_state is not None and store_state is not ConnectionState.CONNECTED:
        return KeyState.UNAVAILABLE
    return KeyState.ENABLED if key.enabled else KeyState.DISABLED


def require_key_state(key: KmsKey, state: KeyState, use: KeyUse) -> None:
    """Raise the error :data:`KEY_RULES` gives for ``use`` in ``state``, if any."""
    if state is KeyState.ENABLED and use is not KeyUse.CANCEL_DELETION:
        return  # the common case, without hashing two enums
    outcome = KEY_RULES[use][state]
    if outcome is Outcome.OK:
        return
    code, message = outcome.value.split(": ", 1)
    raise AwsError(code, message.replace("<key ARN>", key.arn))
