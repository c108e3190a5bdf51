"""Cryptographic operations: Encrypt, Decrypt, ReEncrypt, data keys and GenerateRandom."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from ..domain import backing, ciphertext, multi_region
from ..domain.aws_error import AwsError
from ..domain.connection import Action, gate
from ..domain.key_lookup import parse_key_arn
from ..domain.key_material import KeyMaterial
from ..domain.key_states import KeyUse
from ..domain.keys import KmsKey
from ..domain.randomness import random_bytes
from ..domain.stores import KeyStoreType
from . import asymmetric_encryption
from .key_reference import find_key
from .key_usage import answer_dry_run, refuse_recipient
from .registry import Context, Params, Result, operation
from .usage_operations import note_use

__all__: list[str] = []

SYMMETRIC = "SYMMETRIC_DEFAULT"
ENCRYPT_DECRYPT = "ENCRYPT_DECRYPT"
_DATA_KEY_BYTES = {"AES_256": 32, "AES_128": 16}


def _check_algorithm(ctx: Context, key: KmsKey, algorithm: str | None) -> str:
    """The encryption algorithm the request uses with ``key`` (asymmetric keys name theirs)."""
    if key.key_spec != SYMMETRIC:
        return asymmetric_encryption.encryption_algorithm(ctx, key, algorithm)
    if algorithm not in (None, SYMMETRIC):
        raise AwsError(
            "InvalidKeyUsageException",
            f"The encryption algorithm {algorithm} is not valid for {key.arn}, a symmetric "
            f"encryption KMS key. Use {SYMMETRIC}.",
        )
    return SYMMETRIC


_NO_CIPHERTEXT = (
    "1 validation error detected: Value null at 'ciphertextBlob' failed to satisfy "
    "constraint: Member must not be null"
)


def _ignores_ciphertext(params: Params) -> bool:
    """DryRun with the IGNORE_CIPHERTEXT modifier: KMS checks the request without the blob."""
    return bool(params.get("DryRun")) and "IGNORE_CIPHERTEXT" in params.get("DryRunModifiers", ())


_NOTHING_OPENED: tuple[Any, bytes, str, str] = (None, b"", SYMMETRIC, "")
"""What :func:`_open` gives for a dry run without a ciphertext (DryRun answers next)."""


def _encrypt(
    ctx: Context,
    key: KmsKey,
    plaintext: bytes,
    context: Mapping[str, str],
    algorithm: str = SYMMETRIC,
) -> bytes:
    """Seal ``plaintext``: with the key's current material (the blob names it), or with RSA."""
    if algorithm != SYMMETRIC:
        return asymmetric_encryption.encrypt(ctx, key, algorithm, plaintext, context)
    material_id = key.material_id
    assert material_id is not None, "a key that may encrypt has a current material"
    materials = backing.crypto_materials(ctx.kms.world, key)
    return ciphertext.seal(key.arn, materials, plaintext, context, material_id=material_id)


def _invalid_ciphertext() -> AwsError:
    return AwsError("InvalidCiphertextException", "")


def _blob_key(ctx: Context, envelope: ciphertext.Envelope) -> KmsKey:
    """The key a blob names; the header must name the key's ARN exactly, or (a multi-Region
    key) the ARN of a key related to it in another Region: related keys share material."""
    arn = parse_key_arn(envelope.key_arn)
    if arn is None or arn.kind != "key":
        raise _invalid_ciphertext()
    key = ctx.kms.peek(arn.account_id, ctx.region).keys.get(arn.name)
    if key is None or not multi_region.same_key(key, envelope.key_arn):
        raise _invalid_ciphertext()
    return key


def _blob_material(key: KmsKey, envelope: ciphertext.Envelope) -> KeyMaterial:
    """The key material a blob names (a version 2 blob: the key's first)."""
    items = key.materials.items
    if envelope.material_id is None:
        found = items[0] if items else None
    else:
        found = key.materials.find(envelope.material_id)
    if found is None or found.secret is None:
        raise _invalid_ciphertext()
    return found


def _decrypt(
    ctx: Context, blob: bytes, context: Mapping[str, str], named: KmsKey | None
) -> tuple[KmsKey, bytes, str]:
    """Open a blob: its key (checked against the ``named`` key if given), the plaintext, and
    the id of the key material that sealed it."""
    try:
        envelope = ciphertext.read_envelope(blob)
    except ciphertext.InvalidBlob:
        raise _invalid_ciphertext() from None
    if named is not None and not multi_region.same_key(named, envelope.key_arn):
        raise AwsError(
            "IncorrectKeyException",
            "The key ID in the request does not identify a CMK that can perform this operation.",
        )
    key = _blob_key(ctx, envelope)
    key.check_use(KeyUse.CRYPTO)
    sealer = _blob_material(key, envelope)
    materials = backing.crypto_materials(ctx.kms.world, key, sealer.secret)
    if len(materials) != envelope.layers:
        raise _invalid_ciphertext()
    data = envelope.ciphertext
    for layer in reversed(range(len(materials))):
        try:
            data = ciphertext.open_layer(envelope, materials[layer], layer, data, context)
        except ciphertext.InvalidBlob:
            if layer == 1:  # the XKS proxy's layer: its failures are KMSInvalidStateException
                raise AwsError(
                    "KMSInvalidStateException",
                    "The external key store proxy rejected the request because the specified "
                    "ciphertext or encryption context is corrupted, missing, or otherwise "
                    "invalid.",
                ) from None
            raise _invalid_ciphertext() from None
    return key, data, sealer.id


def _with_material_id(
    result: Result, key: KmsKey, member: str = "KeyMaterialId", material_id: str | None = None
) -> Result:
    """Add the id of the material used (the current one unless given), for keys that show it:
    symmetric encryption keys whose material KMS made or imported."""
    if key.origin in ("AWS_KMS", "EXTERNAL") and key.key_spec == SYMMETRIC:
        result[member] = material_id or key.material_id
    return result


@operation("Encrypt")
def encrypt(ctx: Context, params: Params) -> Result:
    """Encrypt: AES-256-GCM under a symmetric key (the encryption context authenticated),
    RSAES-OAEP under an RSA key."""
    key = find_key(ctx, params["KeyId"], KeyUse.CRYPTO)
    algorithm = _check_algorithm(ctx, key, params.get("EncryptionAlgorithm"))
    blob = _encrypt(ctx, key, params["Plaintext"], params.get("EncryptionContext", {}), algorithm)
    answer_dry_run(params)
    note_use(ctx, key)
    return {"CiphertextBlob": blob, "KeyId": key.arn, "EncryptionAlgorithm": algorithm}


def _open(
    ctx: Context, params: Params, key_member: str, context_member: str, algorithm_member: str
) -> tuple[KmsKey, bytes, str, str]:
    """The key, plaintext, algorithm and key material id of the request's ciphertext, checked
    as Decrypt checks them (an RSA ciphertext has no key material id: "").

    With DryRun and IGNORE_CIPHERTEXT, only the key the request names (if
    any) is checked; the caller's own checks follow, and then DryRun answers.
    A ciphertext of an asymmetric key names no key: the request must name it.
    """
    if _ignores_ciphertext(params):
        if key_member in params:
            checked = find_key(ctx, params[key_member], KeyUse.CRYPTO, key_member)
            _check_algorithm(ctx, checked, params.get(algorithm_member))
        return _NOTHING_OPENED
    blob = params.get("CiphertextBlob")
    if blob is None:  # the reference requires it, except with IGNORE_CIPHERTEXT
        raise AwsError("ValidationException", _NO_CIPHERTEXT)
    named: KmsKey | None = None
    if key_member in params:
        named = find_key(ctx, params[key_member], KeyUse.READ, key_member)
        if named.key_spec != SYMMETRIC and named.key_usage == ENCRYPT_DECRYPT:
            named.check_use(KeyUse.CRYPTO)
            algorithm = _check_algorithm(ctx, named, params.get(algorithm_member))
            context = params.get(context_member)
            plaintext = asymmetric_encryption.decrypt(ctx, named, algorithm, blob, context)
            return named, plaintext, algorithm, ""
    key, plaintext, material_id = _decrypt(ctx, blob, params.get(context_member, {}), named)
    algorithm = _check_algorithm(ctx, key, params.get(algorithm_member))
    return key, plaintext, algorithm, material_id


@operation("Decrypt")
def decrypt(ctx: Context, params: Params) -> Result:
    """Decrypt: open a blob; the blob names its key, so KeyId is optional."""
    refuse_recipient(ctx, params)
    key, plaintext, algorithm, material_id = _open(
        ctx, params, "KeyId", "EncryptionContext", "EncryptionAlgorithm"
    )
    answer_dry_run(params)
    note_use(ctx, key)
    result = {"KeyId": key.arn, "Plaintext": plaintext, "EncryptionAlgorithm": algorithm}
    return _with_material_id(result, key, material_id=material_id)


@operation("ReEncrypt")
def re_encrypt(ctx: Context, params: Params) -> Result:
    """ReEncrypt: decrypt under the source key, encrypt under the destination key."""
    source, plaintext, source_algorithm, source_material_id = _open(
        ctx, params, "SourceKeyId", "SourceEncryptionContext", "SourceEncryptionAlgorithm"
    )
    destination = find_key(ctx, params["DestinationKeyId"], KeyUse.CRYPTO, "DestinationKeyId")
    algorithm = _check_algorithm(ctx, destination, params.get("DestinationEncryptionAlgorithm"))
    context = params.get("DestinationEncryptionContext", {})
    blob = _encrypt(ctx, destination, plaintext, context, algorithm)
    answer_dry_run(params)
    note_use(ctx, source)
    note_use(ctx, destination)
    result: Result = {
        "CiphertextBlob": blob,
        "SourceKeyId": source.arn,
        "KeyId": destination.arn,
        "SourceEncryptionAlgorithm": source_algorithm,
        "DestinationEncryptionAlgorithm": algorithm,
    }
    _with_material_id(result, source, "SourceKeyMaterialId", source_material_id)
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
    _check_algorithm(ctx, key, None)  # a data key is encrypted with SYMMETRIC_DEFAULT
    plaintext = random_bytes(_DATA_KEY_BYTES[spec] if spec is not None else size or 0)
    blob = _encrypt(ctx, key, plaintext, params.get("EncryptionContext", {}))
    answer_dry_run(params)
    note_use(ctx, key)
    return key, plaintext, blob


@operation("GenerateDataKey")
def generate_data_key(ctx: Context, params: Params) -> Result:
    """GenerateDataKey: a fresh data key, in plaintext and encrypted."""
    refuse_recipient(ctx, params)
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
    refuse_recipient(ctx, params)
    size = params.get("NumberOfBytes")
    if size is None:
        raise AwsError("ValidationException", "NumberOfBytes is required.")
    store_id = params.get("CustomKeyStoreId")
    if store_id is not None:
        store = ctx.scope.store(store_id)
        if store.type is KeyStoreType.EXTERNAL_KEY_STORE:
            raise AwsError(
                "UnsupportedOperationException",
                f"GenerateRandom is not supported in external key store '{store.id}'.",
            )
        gate(store, Action.USE_KEYS)
        backing.cloudhsm.check_reachable(ctx.kms.world, ctx.scope, store)
    return {"Plaintext": os.urandom(size)}
