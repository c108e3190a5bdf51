"""Key states, and which operations each key state allows.

A key's state is derived, never stored (:attr:`KmsKey.state
<kmsmock.domain.keys.KmsKey.state>`). That gives AWS's rules for free:
reconnecting a store returns each key to the state it had, and enabling or
disabling an Unavailable key takes effect once it is available again.

:data:`KEY_RULES` is the table of key state by kind of use, from the KMS
Developer Guide's "Key states of KMS keys" page. Every operation on a key
takes the one path: find the key, read its state, check it with
:func:`check_key_use`.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import Final

from .aws_error import AwsError

__all__ = ["KEY_RULES", "KeyState", "KeyUse", "Outcome", "check_key_use"]


class KeyState(str, Enum):
    """The KeyState values kmsmock's keys can have.

    Not simulated: the transient Creating and Updating states of multi-Region
    keys (a replica is complete when ReplicateKey answers, and a new primary
    Region when UpdatePrimaryRegion answers).
    """

    ENABLED = "Enabled"
    DISABLED = "Disabled"
    PENDING_DELETION = "PendingDeletion"
    UNAVAILABLE = "Unavailable"
    PENDING_IMPORT = "PendingImport"
    PENDING_REPLICA_DELETION = "PendingReplicaDeletion"


class KeyUse(str, Enum):
    """Kinds of operation on an existing key, grouped by how key state affects them."""

    CRYPTO = "Encrypt, Decrypt, ReEncrypt, GenerateDataKey, GenerateDataKeyWithoutPlaintext"
    DATA_KEY_PAIR = "GenerateDataKeyPair, GenerateDataKeyPairWithoutPlaintext"
    PUBLIC_KEY = "GetPublicKey, Sign, Verify, DeriveSharedSecret, Encapsulate, Decapsulate"
    MAC = "GenerateMac, VerifyMac"
    ENABLE_DISABLE = "EnableKey, DisableKey"
    SCHEDULE_DELETION = "ScheduleKeyDeletion"
    CANCEL_DELETION = "CancelKeyDeletion"
    MODIFY = "CreateAlias, UpdateAlias, TagResource, UntagResource, UpdateKeyDescription"
    ROTATION = "EnableKeyRotation, DisableKeyRotation"
    ROTATE_ON_DEMAND = "RotateKeyOnDemand"
    IMPORT = "GetParametersForImport, ImportKeyMaterial"
    DELETE_IMPORTED = "DeleteImportedKeyMaterial"
    REPLICATE = "ReplicateKey, UpdatePrimaryRegion"
    READ = (
        "DescribeKey, GetKeyPolicy, PutKeyPolicy, ListKeyPolicies, ListResourceTags, "
        "GetKeyRotationStatus, ListKeyRotations, GetKeyLastUsage, ListAliases"
    )
    CREATE_GRANT = "CreateGrant"
    MANAGE_GRANTS = "ListGrants, RetireGrant, RevokeGrant"


class Outcome(str, Enum):
    """A cell of :data:`KEY_RULES`."""

    OK = "succeeds"
    DISABLED = "DisabledException: <key ARN> is disabled."
    PENDING = "KMSInvalidStateException: <key ARN> is pending deletion."
    UNAVAILABLE = "KMSInvalidStateException: <key ARN> is unavailable."
    NOT_PENDING = "KMSInvalidStateException: <key ARN> is not pending deletion."
    IMPORT_PENDING = "KMSInvalidStateException: <key ARN> is pending import."
    REPLICA_PENDING = "KMSInvalidStateException: <key ARN> is pending replica deletion."
    EXTERNAL = (
        "UnsupportedOperationException: <key ARN> origin is EXTERNAL which is not valid for "
        "this operation."
    )
    CUSTOM_STORE = (
        "UnsupportedOperationException: <key ARN> is in a custom key store, which does not "
        "support this operation."
    )


OK, DISABLED, PENDING, UNAVAILABLE, NOT_PENDING = (
    Outcome.OK,
    Outcome.DISABLED,
    Outcome.PENDING,
    Outcome.UNAVAILABLE,
    Outcome.NOT_PENDING,
)
IMPORT_PENDING, EXTERNAL, CUSTOM_STORE, REPLICA = (
    Outcome.IMPORT_PENDING,
    Outcome.EXTERNAL,
    Outcome.CUSTOM_STORE,
    Outcome.REPLICA_PENDING,
)
_COLUMNS: Final = (
    KeyState.ENABLED,
    KeyState.DISABLED,
    KeyState.PENDING_DELETION,
    KeyState.UNAVAILABLE,
    KeyState.PENDING_IMPORT,
    KeyState.PENDING_REPLICA_DELETION,
)


def _row(*cells: Outcome) -> Mapping[KeyState, Outcome]:
    return dict(zip(_COLUMNS, cells, strict=True))


# The table is wider than the line length so that it reads as the table it is.
# ruff: noqa: E501
KEY_RULES: Final[Mapping[KeyUse, Mapping[KeyState, Outcome]]] = {
    #                              Enabled     Disabled    Deletion Unavailable  PendingImport   ReplicaDeletion
    KeyUse.CRYPTO:            _row(OK,         DISABLED,   PENDING, UNAVAILABLE, IMPORT_PENDING, REPLICA),
    KeyUse.DATA_KEY_PAIR:     _row(OK,         DISABLED,   PENDING, UNAVAILABLE, IMPORT_PENDING, REPLICA),
    KeyUse.PUBLIC_KEY:        _row(OK,         DISABLED,   PENDING, UNAVAILABLE, IMPORT_PENDING, REPLICA),
    KeyUse.MAC:               _row(OK,         DISABLED,   PENDING, UNAVAILABLE, IMPORT_PENDING, REPLICA),
    KeyUse.ENABLE_DISABLE:    _row(OK,         OK,         PENDING, OK,          IMPORT_PENDING, REPLICA),
    KeyUse.SCHEDULE_DELETION: _row(OK,         OK,         PENDING, OK,          OK,            REPLICA),
    KeyUse.CANCEL_DELETION:   _row(NOT_PENDING, NOT_PENDING, OK,     NOT_PENDING, NOT_PENDING,   OK),
    KeyUse.MODIFY:            _row(OK,         OK,         PENDING, OK,          OK,            REPLICA),
    KeyUse.ROTATION:          _row(OK,         DISABLED,   PENDING, OK,          EXTERNAL,      REPLICA),
    KeyUse.ROTATE_ON_DEMAND:  _row(OK,         DISABLED,   PENDING, CUSTOM_STORE, IMPORT_PENDING, REPLICA),
    KeyUse.IMPORT:            _row(OK,         OK,         PENDING, CUSTOM_STORE, OK,            REPLICA),
    KeyUse.DELETE_IMPORTED:   _row(OK,         OK,         OK,     CUSTOM_STORE, OK,            OK),
    KeyUse.REPLICATE:         _row(OK,         OK,         PENDING, UNAVAILABLE, OK,            REPLICA),
    KeyUse.READ:              _row(OK,         OK,         OK,     OK,          OK,            OK),
    KeyUse.CREATE_GRANT:      _row(OK,         DISABLED,   PENDING, OK,          IMPORT_PENDING, REPLICA),
    KeyUse.MANAGE_GRANTS:     _row(OK,         OK,         OK,     OK,          OK,            OK),
}  # fmt: skip
"""What each kind of use does in each key state.

Only a key with imported key material (Origin EXTERNAL) can be PendingImport,
and only a key in a custom key store can be Unavailable: the import and
on-demand rotation operations refuse a key of another origin before they read
this table, so the CUSTOM_STORE cells say what AWS answers such a key anyway.
Only a multi-Region primary key whose deletion is scheduled while it still has
replica keys is PendingReplicaDeletion: as the ScheduleKeyDeletion reference
says, it "cannot be replicated or used in cryptographic operations", and
otherwise it is answered as a key pending deletion is, in its own words.
Multi-Region keys cannot live in custom key stores, so ReplicateKey's
Unavailable cell is never reached.
"""


def check_key_use(key_arn: str, state: KeyState, use: KeyUse) -> None:
    """Raise the error :data:`KEY_RULES` gives for ``use`` of a key in ``state``, if any."""
    if state is KeyState.ENABLED and use is not KeyUse.CANCEL_DELETION:
        return  # the row every call of a working key takes, without reading the table
    outcome = KEY_RULES[use][state]
    if outcome is Outcome.OK:
        return
    code, message = outcome.value.split(": ", 1)
    raise AwsError(code, message.replace("<key ARN>", key_arn))
