"""Cryptographic operations: Encrypt, Decrypt, ReEncrypt, data keys and GenerateRandom."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from ..domain import backing, crypto
from ..domain.connection import Action
from ..domain.errors import AwsError
from ..domain.keyring import parse_key_arn
from ..domain.keys import KeyUse, KmsKey, key_state, require_key_state
from ..domain.keystore import KeyStoreType
from ..domain.keystores import require
from ..domain.randomness import aes_256_keys, random_bytes
from ..errors import UnimplementedOperationError
from .keyref import find_key, key_region, key_state_of, key_store
from .registry import Context, Params, Result, operation

__all__: list[str] = []

SYMMETRIC = "SYMMETRIC_DEFAULT"
_DATA_KEY_BYTES = {"AES_256": 32, "AES_128": 16}


def _refuse_recipient(ctx: Context, params: Params) -> None:
    if "Recipient" in params:
        raise UnimplementedOperationError(ctx.operation, "Recipient (Nitro Enclaves attestation)")


# The operations tests call most (Encrypt, Decrypt, the data keys) test first whether the
# member a check below looks at is there at all: most requests leave it out, and the call
# costs more than the test.


def _check_algorithm(key: KmsKey, algorithm: str | None) -> None:
    if algorithm not in (None, SYMMETRIC):
        raise AwsError(
            "InvalidKeyUsageException",
            f"The encryption algorithm {algorithm} is not valid for {key.arn}, a symmetric "
            f"encryption KMS key. Use {SYMMETRIC}.",
        )


def _dry_run(params: Params) -> None:
    if params.get("DryRun"):
        raise AwsError(
            "DryRunOperationException",
            "The request would have succeeded, but the DryRun option is set.",
        )


_NO_CIPHERTEXT = (
    "1 validation error detected: Value null at 'ciphertextBlob' failed to satisfy "
    "constraint: Member must not be null"
)


def _ignores_ciphertext(params: Params) -> bool:
    """DryRun with the IGNORE_CIPHERTEXT modifier: KMS checks the request without the blob."""
    return bool(params.get("DryRun")) and "IGNORE_CIPHERTEXT" in params.get("DryRunModifiers", ())


_NOTHING_OPENED: tuple[Any, bytes] = (None, b"")
"""What :func:`_open` gives for a dry run without a ciphertext (DryRun answers next)."""


def _materials(ctx: Context, key: KmsKey) -> tuple[bytes, ...]:
    """The AES keys a blob of ``key`` is sealed with, innermost first."""
    if key.store_id is None:
        return (key.material,)
    return backing.crypto_materials(
        ctx.backend.world, key_region(ctx, key), key, key_store(ctx, key)
    )


def _encrypt(ctx: Context, key: KmsKey, plaintext: bytes, context: Mapping[str, str]) -> bytes:
    materials = (key.material,) if key.store_id is None else _materials(ctx, key)
    return crypto.seal(key.arn, materials, plaintext, context)


_arns: dict[str, tuple[str, str, str, str]] = {}
"""Key ARNs named by ciphertexts, parsed (a blob names its key on every Decrypt)."""


def _invalid_ciphertext() -> AwsError:
    return AwsError("InvalidCiphertextException", "")


def _blob_key(ctx: Context, envelope: crypto.Envelope) -> KmsKey:
    parsed = _arns.get(envelope.key_arn)
    if parsed is None:
        parsed = parse_key_arn(envelope.key_arn)
        if parsed is None or parsed[2] != "key":
            raise _invalid_ciphertext()
        if len(_arns) >= 4096:
            _arns.clear()
        _arns[envelope.key_arn] = parsed
    region, account, _, key_id = parsed
    if region != ctx.region_name:
        raise _invalid_ciphertext()
    if account == ctx.account_id:  # the caller's own key, as a rule
        key = ctx.region.keys.get(key_id)
    else:
        owner = ctx.backend.regions.get((account, region))
        key = None if owner is None else owner.keys.get(key_id)
    if key is None or key.arn != envelope.key_arn:  # the header names its key exactly
        raise _invalid_ciphertext()
    return key


def _decrypt(
    ctx: Context, blob: bytes, context: Mapping[str, str], key_ref: str | None, member: str
) -> tuple[KmsKey, bytes]:
    """Open a blob: its key, checked against ``key_ref`` if given, and the plaintext."""
    try:
        envelope = crypto.read_envelope(blob)
    except crypto.InvalidBlob:
        raise _invalid_ciphertext() from None
    if key_ref is not None:
        named = find_key(ctx, key_ref, KeyUse.READ, member)
        if named.arn != envelope.key_arn:
            raise AwsError(
                "IncorrectKeyException",
                "The key ID in the request does not identify a CMK that can perform this "
                "operation.",
            )
    key = _blob_key(ctx, envelope)
    if key.store_id is None:  # a standard key: one layer, under the key's own material
        if not key.enabled or key.deletion_date is not None:  # not Enabled (see find_key)
            require_key_state(key, key_state(key, None), KeyUse.CRYPTO)
        if envelope.layers != 1:
            raise _invalid_ciphertext()
        try:
            return key, crypto.open_layer(envelope, key.material, 0, envelope.ciphertext, context)
        except crypto.InvalidBlob:
            raise _invalid_ciphertext() from None
    require_key_state(key, key_state_of(ctx, key), KeyUse.CRYPTO)
    materials = _materials(ctx, key)
    if len(materials) != envelope.layers:
        raise _invalid_ciphertext()
    data = envelope.ciphertext
    for layer in reversed(range(len(materials))):
        try:
            data = crypto.open_layer(envelope, materials[layer], layer, data, context)
        except crypto.InvalidBlob:
            if layer == 1:  # the XKS proxy's layer: its failures are KMSInvalidStateException
                raise AwsError(
                    "KMSInvalidStateException",
                    "The external key store proxy rejected the request because the specified "
                    "ciphertext or encryption context is corrupted, missing, or otherwise "
                    "invalid.",
                ) from None
            raise _invalid_ciphertext() from None
    return key, data


def _with_material_id(result: Result, key: KmsKey, member: str = "KeyMaterialId") -> Result:
    if key.origin == "AWS_KMS":
        result[member] = key.material_id
    return result


@operation("Encrypt")
def encrypt(ctx: Context, params: Params) -> Result:
    """Encrypt: AES-256-GCM under the key, the encryption context authenticated."""
    key = find_key(ctx, params["KeyId"], KeyUse.CRYPTO)
    if "EncryptionAlgorithm" in params:
        _check_algorithm(key, params["EncryptionAlgorithm"])
    blob = _encrypt(ctx, key, params["Plaintext"], params.get("EncryptionContext", {}))
    if "DryRun" in params:
        _dry_run(params)
    return {"CiphertextBlob": blob, "KeyId": key.arn, "EncryptionAlgorithm": SYMMETRIC}


def _open(
    ctx: Context, params: Params, key_member: str, context_member: str, algorithm_member: str
) -> tuple[KmsKey, bytes]:
    """The key and plaintext of the request's ciphertext, checked as Decrypt checks them.

    With DryRun and IGNORE_CIPHERTEXT, only the key the request names (if
    any) is checked; the caller's own checks follow, and then DryRun answers.
    """
    if "DryRun" in params and _ignores_ciphertext(params):
        if key_member in params:
            named = find_key(ctx, params[key_member], KeyUse.CRYPTO, key_member)
            _check_algorithm(named, params.get(algorithm_member))
        return _NOTHING_OPENED
    blob = params.get("CiphertextBlob")
    if blob is None:  # the reference requires it, except with IGNORE_CIPHERTEXT
        raise AwsError("ValidationException", _NO_CIPHERTEXT)
    key, plaintext = _decrypt(
        ctx, blob, params.get(context_member, {}), params.get(key_member), key_member
    )
    if algorithm_member in params:
        _check_algorithm(key, params[algorithm_member])
    return key, plaintext


@operation("Decrypt")
def decrypt(ctx: Context, params: Params) -> Result:
    """Decrypt: open a blob; the blob names its key, so KeyId is optional."""
    if "Recipient" in params:
        _refuse_recipient(ctx, params)
    key, plaintext = _open(ctx, params, "KeyId", "EncryptionContext", "EncryptionAlgorithm")
    if "DryRun" in params:
        _dry_run(params)
    result = {"KeyId": key.arn, "Plaintext": plaintext, "EncryptionAlgorithm": SYMMETRIC}
    return _with_material_id(result, key)


@operation("ReEncrypt")
def re_encrypt(ctx: Context, params: Params) -> Result:
    """ReEncrypt: decrypt under the source key, encrypt under the destination key."""
    source, plaintext = _open(
        ctx, params, "SourceKeyId", "SourceEncryptionContext", "SourceEncryptionAlgorithm"
    )
    destination = find_key(ctx, params["DestinationKeyId"], KeyUse.CRYPTO, "DestinationKeyId")
    _check_algorithm(destination, params.get("DestinationEncryptionAlgorithm"))
    blob = _encrypt(ctx, destination, plaintext, params.get("DestinationEncryptionContext", {}))
    _dry_run(params)
    result: Result = {
        "CiphertextBlob": blob,
        "SourceKeyId": source.arn,
        "KeyId": destination.arn,
        "SourceEncryptionAlgorithm": SYMMETRIC,
        "DestinationEncryptionAlgorithm": SYMMETRIC,
    }
    _with_material_id(result, source, "SourceKeyMaterialId")
    return _with_material_id(result, destination, "DestinationKeyMaterialId")


def _data_key(ctx: Context, params: Params) -> tuple[KmsKey, bytes, bytes]:
    spec: str | None = params.get("KeySpec")
    size: int | None = params.get("NumberOfBytes")
    if (spec is None) == (size is None):
        raise AwsError(
            "ValidationException",
            "Specify either KeySpec or NumberOfBytes, but not both."
            if spec is not None
            else "Please specify either number of bytes or key spec.",
        )
    key = find_key(ctx, params["KeyId"], KeyUse.CRYPTO)
    if spec == "AES_256":  # the usual data key, drawn ahead
        plaintext = aes_256_keys.take()
    else:
        plaintext = random_bytes(_DATA_KEY_BYTES[spec] if spec is not None else size or 0)
    blob = _encrypt(ctx, key, plaintext, params.get("EncryptionContext", {}))
    if "DryRun" in params:
        _dry_run(params)
    return key, plaintext, blob


@operation("GenerateDataKey")
def generate_data_key(ctx: Context, params: Params) -> Result:
    """GenerateDataKey: a fresh data key, in plaintext and encrypted."""
    if "Recipient" in params:
        _refuse_recipient(ctx, params)
    key, plaintext, blob = _data_key(ctx, params)
    result = {"CiphertextBlob": blob, "Plaintext": plaintext, "KeyId": key.arn}
    return _with_material_id(result, key)


@operation("GenerateDataKeyWithoutPlaintext")
def generate_data_key_without_plaintext(ctx: Context, params: Params) -> Result:
    """GenerateDataKeyWithoutPlaintext: a fresh data key, encrypted only."""
    key, _, blob = _data_key(ctx, params)
    return _with_material_id({"CiphertextBlob": blob, "KeyId": key.arn}, key)


@operation("GenerateRandom")
def generate_random(ctx: Context, params: Params) -> Result:
    """GenerateRandom: random bytes, optionally from a CloudHSM key store's cluster."""
    _refuse_recipient(ctx, params)
    size = params.get("NumberOfBytes")
    if size is None:
        raise AwsError("ValidationException", "NumberOfBytes is required.")
    store_id = params.get("CustomKeyStoreId")
    if store_id is not None:
        region = ctx.region
        store = region.store(store_id)
        if store.type is KeyStoreType.EXTERNAL_KEY_STORE:
            raise AwsError(
                "UnsupportedOperationException",
                f"GenerateRandom is not supported in external key store '{store.id}'.",
            )
        require(store, Action.USE_KEYS)
        backing.check_cluster_reachable(ctx.backend.world, region, store)
    return {"Plaintext": os.urandom(size)}
