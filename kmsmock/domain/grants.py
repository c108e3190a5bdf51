"""Grants on KMS keys: what a grant holds, which grant operations fit which key, grant tokens.

A grant belongs to its key's account and region: each
:class:`~kmsmock.domain.scope.AccountRegion` keeps its grants in a
:class:`GrantBook`, and deleting a key for good deletes its grants.

The rules come from the KMS Developer Guide ("Grants in AWS KMS", "Key type
reference", "Using grant constraints", "Resource quotas") and the CreateGrant
reference text. Who may use, retire or revoke a grant (authorization) is not
decided here: grants are stored, listed, retired and revoked faithfully.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from .aws_error import AwsError
from .randomness import random_bytes

__all__ = [
    "ASYMMETRIC",
    "CONTEXT_KINDS",
    "GRANTEE_QUOTA",
    "GRANTS_PER_KEY",
    "HMAC",
    "KEY_KIND_OPERATIONS",
    "MANAGEMENT_OPERATIONS",
    "MAX_CONTEXT_CHARACTERS",
    "MAX_CONTEXT_PAIRS",
    "SYMMETRIC",
    "Grant",
    "GrantBook",
    "GrantConstraints",
    "check_constraints",
    "check_grant_id",
    "check_grant_token",
    "check_grant_tokens",
    "check_operations",
    "check_principal",
    "key_family",
    "new_grant_id",
    "new_grant_token",
]

GRANTS_PER_KEY: Final = 50_000
"""KMS quota: grants per KMS key."""
GRANTEE_QUOTA: Final = 500
"""KMS quota: grants on one KMS key for the same grantee principal."""

MAX_CONTEXT_PAIRS: Final = 8
"""Encryption context pairs a grant constraint may hold."""
MAX_CONTEXT_CHARACTERS: Final = 384
"""Characters (keys and values together) an encryption context grant constraint may hold."""

# -- which grant operations fit which key ----------------------------------------------------

SYMMETRIC: Final = "SYMMETRIC_DEFAULT"
"""The key spec family of symmetric encryption keys (:func:`key_family`)."""
HMAC: Final = "HMAC"
"""The key spec family of HMAC keys (HMAC_224 to HMAC_512)."""
ASYMMETRIC: Final = "ASYMMETRIC"
"""The key spec family of asymmetric keys (RSA, ECC, SM2, ML-DSA, ML-KEM)."""

MANAGEMENT_OPERATIONS: Final = frozenset({"CreateGrant", "DescribeKey", "RetireGrant"})
"""Grant operations every KMS key supports, whatever its type."""

KEY_KIND_OPERATIONS: Final[Mapping[tuple[str, str], frozenset[str]]] = {
    # (key spec family, key usage):  the cryptographic grant operations the key supports
    (SYMMETRIC, "ENCRYPT_DECRYPT"): frozenset({
        "Encrypt", "Decrypt", "ReEncryptFrom", "ReEncryptTo",
        "GenerateDataKey", "GenerateDataKeyWithoutPlaintext",
        "GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext",
    }),
    (HMAC, "GENERATE_VERIFY_MAC"): frozenset({"GenerateMac", "VerifyMac"}),
    (ASYMMETRIC, "ENCRYPT_DECRYPT"): frozenset({
        "Encrypt", "Decrypt", "ReEncryptFrom", "ReEncryptTo", "GetPublicKey",
    }),
    (ASYMMETRIC, "SIGN_VERIFY"): frozenset({"Sign", "Verify", "GetPublicKey"}),
    (ASYMMETRIC, "KEY_AGREEMENT"): frozenset({"DeriveSharedSecret", "GetPublicKey"}),
    (ASYMMETRIC, "ENCAPSULATE_DECAPSULATE"): frozenset({
        "Encapsulate", "Decapsulate", "GetPublicKey",
    }),
}  # fmt: skip
"""The Developer Guide's "Key type reference" table, restricted to grant operations."""

CONTEXT_KINDS: Final = frozenset({(SYMMETRIC, "ENCRYPT_DECRYPT")})
"""Key kinds whose cryptographic operations take an encryption context.

Asymmetric and HMAC keys do not ("Operations with these keys don't support
an encryption context"), so encryption context grant constraints do not fit them.
"""


def key_family(key_spec: str) -> str:
    """The family of a key spec: SYMMETRIC_DEFAULT, HMAC (HMAC_*) or ASYMMETRIC."""
    if key_spec == SYMMETRIC:
        return SYMMETRIC
    return HMAC if key_spec.startswith("HMAC_") else ASYMMETRIC


def _names(operations: Iterable[str]) -> str:
    return "[" + ", ".join(sorted(set(operations))) + "]"


def check_operations(operations: list[str], key_arn: str, key_spec: str, key_usage: str) -> None:
    """Raise the ValidationException AWS answers for grant operations the key cannot allow."""
    if not operations:
        raise AwsError("ValidationException", "A grant must allow at least one operation.")
    if set(operations) == {"CreateGrant"}:
        # AWS's own answer, as its CreateGrant gives it.
        raise AwsError(
            "ValidationException", "Grants must not contain only the CreateGrant operation."
        )
    fitting = KEY_KIND_OPERATIONS.get((key_family(key_spec), key_usage), frozenset())
    unfit = [op for op in operations if op not in fitting and op not in MANAGEMENT_OPERATIONS]
    if unfit:
        raise AwsError(
            "ValidationException",
            f"Grant operations {_names(unfit)} are not valid for {key_arn}, a KMS key with "
            f"KeySpec {key_spec} and KeyUsage {key_usage}.",
        )


# -- grant constraints ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GrantConstraints:
    """A grant's constraints: encryption context pairs, and the SourceArn of newer models."""

    encryption_context_subset: tuple[tuple[str, str], ...] | None = None
    encryption_context_equals: tuple[tuple[str, str], ...] | None = None
    source_arn: str | None = None

    @classmethod
    def from_params(cls, constraints: Mapping[str, Any] | None) -> GrantConstraints | None:
        """The constraints of a CreateGrant request (None when it sets none)."""
        if not constraints:
            return None

        def pairs(name: str) -> tuple[tuple[str, str], ...] | None:
            context = constraints.get(name)
            return None if context is None else tuple(sorted(context.items()))

        found = cls(
            encryption_context_subset=pairs("EncryptionContextSubset"),
            encryption_context_equals=pairs("EncryptionContextEquals"),
            source_arn=constraints.get("SourceArn"),
        )
        return None if found == cls() else found

    @property
    def has_encryption_context(self) -> bool:
        """Whether the constraints include an encryption context constraint."""
        return (
            self.encryption_context_subset is not None or self.encryption_context_equals is not None
        )

    def as_params(self) -> dict[str, Any]:
        """The constraints as a GrantConstraints structure's members."""
        members: dict[str, Any] = {}
        if self.encryption_context_subset is not None:
            members["EncryptionContextSubset"] = dict(self.encryption_context_subset)
        if self.encryption_context_equals is not None:
            members["EncryptionContextEquals"] = dict(self.encryption_context_equals)
        if self.source_arn is not None:
            members["SourceArn"] = self.source_arn
        return members


def check_constraints(
    constraints: GrantConstraints,
    operations: list[str],
    context_operations: frozenset[str],
    key_spec: str,
    key_usage: str,
) -> None:
    """Raise the ValidationException AWS answers for constraints the grant cannot have.

    ``context_operations`` are the grant operations whose requests take an
    encryption context (from the model). An encryption context constraint
    fits only a grant whose cryptographic operations take one on this key;
    DescribeKey, RetireGrant and CreateGrant may come along.
    """
    for name, pairs in (
        ("EncryptionContextSubset", constraints.encryption_context_subset),
        ("EncryptionContextEquals", constraints.encryption_context_equals),
    ):
        if pairs is None:
            continue
        if len(pairs) > MAX_CONTEXT_PAIRS:
            raise AwsError(
                "ValidationException",
                f"The {name} grant constraint has {len(pairs)} encryption context pairs; "
                f"it can have at most {MAX_CONTEXT_PAIRS}.",
            )
        size = sum(len(key) + len(value) for key, value in pairs)
        if size > MAX_CONTEXT_CHARACTERS:
            raise AwsError(
                "ValidationException",
                f"The encryption context in the {name} grant constraint has {size} "
                f"characters; it cannot exceed {MAX_CONTEXT_CHARACTERS}.",
            )
    if not constraints.has_encryption_context:
        return
    takes_context = (key_family(key_spec), key_usage) in CONTEXT_KINDS
    unfit = [
        op
        for op in operations
        if op not in MANAGEMENT_OPERATIONS and not (takes_context and op in context_operations)
    ]
    if unfit:
        raise AwsError(
            "ValidationException",
            f"Encryption context grant constraints are supported only on grant operations "
            f"that take an encryption context; {_names(unfit)} do not, on a KMS key with "
            f"KeySpec {key_spec} and KeyUsage {key_usage}.",
        )


# -- principals ---------------------------------------------------------------------------

_PRINCIPALS: Final = (
    re.compile(r"[0-9]{12}"),  # an AWS account
    re.compile(r"arn:aws[a-z-]*:iam::[0-9]{12}:root"),  # an AWS account
    re.compile(r"arn:aws[a-z-]*:iam::[0-9]{12}:user/.+"),  # an IAM user
    re.compile(r"arn:aws[a-z-]*:iam::[0-9]{12}:role/.+"),  # an IAM role
    re.compile(r"arn:aws[a-z-]*:sts::[0-9]{12}:federated-user/.+"),  # a federated user
    re.compile(r"arn:aws[a-z-]*:sts::[0-9]{12}:assumed-role/.+/.+"),  # an assumed role user
)
"""The principals a grant can name: AWS accounts, IAM users, IAM roles, federated users and
assumed role users. Not service principals, IAM groups or AWS organizations."""


def check_principal(member: str, principal: str) -> None:
    """Raise InvalidArnException unless ``principal`` is a principal a grant can name."""
    if not any(form.fullmatch(principal) for form in _PRINCIPALS):
        raise AwsError(
            "InvalidArnException",
            f"{member} {principal} is not a valid principal: use the ARN of an AWS account, "
            "IAM user, IAM role, federated user or assumed role user.",
        )


# -- grant ids and tokens ------------------------------------------------------------------

_GRANT_ID = re.compile(r"[0-9a-f]{64}")
_TOKEN_VERSION = b"\x01"
_TOKEN_NONCE = 48
_TOKEN_CHECK = 16
_TOKEN_SALT = b"kmsmock grant token\n"


def new_grant_id() -> str:
    """A fresh grant id: 64 hexadecimal digits, as KMS gives."""
    return random_bytes(32).hex()


def check_grant_id(grant_id: str) -> None:
    """Raise InvalidGrantIdException unless ``grant_id`` has the form of a grant id."""
    if _GRANT_ID.fullmatch(grant_id) is None:
        raise AwsError("InvalidGrantIdException", f"Grant ID {grant_id} is not valid.")


def _check_digest(body: bytes) -> bytes:
    return hashlib.sha256(_TOKEN_SALT + body).digest()[:_TOKEN_CHECK]


def new_grant_token() -> str:
    """A fresh grant token: a base64 string that reveals nothing about its grant."""
    body = _TOKEN_VERSION + random_bytes(_TOKEN_NONCE)
    return base64.b64encode(body + _check_digest(body)).decode()


def check_grant_token(token: str) -> None:
    """Raise InvalidGrantTokenException unless ``token`` has the form of a grant token."""
    try:
        raw = base64.b64decode(token.encode(), validate=True)
    except (binascii.Error, ValueError, UnicodeError):
        raw = b""
    body, check = raw[:-_TOKEN_CHECK], raw[-_TOKEN_CHECK:]
    if (
        len(raw) != len(_TOKEN_VERSION) + _TOKEN_NONCE + _TOKEN_CHECK
        or not body.startswith(_TOKEN_VERSION)
        or check != _check_digest(body)
    ):
        raise AwsError("InvalidGrantTokenException", "The grant token is not valid.")


def check_grant_tokens(tokens: Iterable[str]) -> None:
    """Check the form of each token of a request's GrantTokens."""
    for token in tokens:
        check_grant_token(token)


# -- grants -------------------------------------------------------------------------------


@dataclass(eq=False, slots=True)
class Grant:
    """A grant on one KMS key.

    ``tokens`` are the grant tokens CreateGrant returned for it: a new one
    for every CreateGrant request, retries included; any of them names the grant.
    """

    id: str
    key_id: str
    key_arn: str
    seq: int
    created: float
    issuing_account: str
    operations: tuple[str, ...]
    grantee_principal: str | None = None
    grantee_service_principal: str | None = None
    retiring_principal: str | None = None
    retiring_service_principal: str | None = None
    name: str | None = None
    constraints: GrantConstraints | None = None
    tokens: list[str] = field(default_factory=list)

    def same_request(self, other: Grant) -> bool:
        """Whether ``other`` asks for this very grant (a retried CreateGrant with a Name)."""
        return (
            self.name is not None
            and self.name == other.name
            and self.key_id == other.key_id
            and set(self.operations) == set(other.operations)
            and self.grantee_principal == other.grantee_principal
            and self.grantee_service_principal == other.grantee_service_principal
            and self.retiring_principal == other.retiring_principal
            and self.retiring_service_principal == other.retiring_service_principal
            and self.constraints == other.constraints
        )


class GrantBook:
    """The grants on the KMS keys of one account and region, by key, in creation order."""

    def __init__(self) -> None:
        self._by_key: dict[str, dict[str, Grant]] = {}
        self._by_token: dict[str, Grant] = {}

    def __repr__(self) -> str:
        return f"<GrantBook of {sum(map(len, self._by_key.values()))} grants>"

    def __iter__(self) -> Iterator[Grant]:
        """Every grant, key by key, each key's grants in creation order."""
        for grants in self._by_key.values():
            yield from grants.values()

    def of_key(self, key_id: str) -> list[Grant]:
        """The grants on a key, in creation order."""
        return list(self._by_key.get(key_id, {}).values())

    def count(self, key_id: str) -> int:
        """How many grants the key has."""
        return len(self._by_key.get(key_id, ()))

    def get(self, key_id: str, grant_id: str) -> Grant | None:
        """The grant with this id on this key, if any."""
        return self._by_key.get(key_id, {}).get(grant_id)

    def by_token(self, token: str) -> Grant | None:
        """The grant a grant token names, if it is here."""
        return self._by_token.get(token)

    def add(self, grant: Grant) -> None:
        """Add a grant (its seq is the highest on its key so far)."""
        self._by_key.setdefault(grant.key_id, {})[grant.id] = grant
        for token in grant.tokens:
            self._by_token[token] = grant

    def add_token(self, grant: Grant, token: str) -> None:
        """Record another grant token for a grant here."""
        grant.tokens.append(token)
        self._by_token[token] = grant

    def remove(self, grant: Grant) -> None:
        """Delete a grant (retired or revoked)."""
        grants = self._by_key[grant.key_id]
        del grants[grant.id]
        if not grants:
            del self._by_key[grant.key_id]
        for token in grant.tokens:
            self._by_token.pop(token, None)

    def drop_key(self, key_id: str) -> None:
        """Delete every grant on a key (the key itself is deleted)."""
        for grant in self.of_key(key_id):
            self.remove(grant)
