"""Shared secrets: DeriveSharedSecret (ECDH), Encapsulate and Decapsulate (ML-KEM)."""

from __future__ import annotations

from ..domain import key_pairs
from ..domain.aws_error import AwsError
from ..domain.key_specs import ENCAPSULATE_DECAPSULATE, KEY_AGREEMENT, check_algorithm
from ..domain.key_states import KeyUse
from ..domain.keys import KmsKey
from .key_usage import answer_dry_run, refuse_recipient, usable_key
from .registry import Context, Params, Result, operation
from .usage_operations import note_use

__all__: list[str] = []


@operation("DeriveSharedSecret")
def derive_shared_secret(ctx: Context, params: Params) -> Result:
    """DeriveSharedSecret: ECDH of the key's private key and the peer's public key (raw)."""
    refuse_recipient(ctx, params)
    key = usable_key(ctx, params, KeyUse.PUBLIC_KEY, KEY_AGREEMENT)
    algorithm = params["KeyAgreementAlgorithm"]
    check_algorithm(key.key_spec, key.key_usage, algorithm)
    key_pairs.check_available(ctx.operation, key.key_spec)
    private_key = key_pairs.private_key_of(ctx.operation, key)
    try:
        secret = key_pairs.derive_shared_secret(private_key, params["PublicKey"])
    except key_pairs.InvalidPeerKey:
        raise AwsError("ValidationException", "") from None  # AWS's answer: no message
    answer_dry_run(params)
    note_use(ctx, key)
    return {
        "KeyId": key.arn,
        "SharedSecret": secret,
        "KeyAgreementAlgorithm": algorithm,
        "KeyOrigin": key.origin,
    }


def _kem_key(ctx: Context, params: Params) -> KmsKey:
    key = usable_key(ctx, params, KeyUse.PUBLIC_KEY, ENCAPSULATE_DECAPSULATE)
    check_algorithm(key.key_spec, key.key_usage, params["EncapsulationAlgorithm"])
    key_pairs.check_available(ctx.operation, key.key_spec)
    return key


@operation("Encapsulate")
def encapsulate(ctx: Context, params: Params) -> Result:
    """Encapsulate: a fresh shared secret, and its ML-KEM encapsulation under the public key."""
    key = _kem_key(ctx, params)
    answer_dry_run(params)
    secret, ciphertext = key_pairs.encapsulate(key_pairs.public_key_of(ctx.operation, key))
    note_use(ctx, key)
    return {
        "KeyId": key.arn,
        "SharedSecret": secret,
        "SharedSecretCiphertextBlob": ciphertext,
        "EncapsulationAlgorithm": params["EncapsulationAlgorithm"],
    }


@operation("Decapsulate")
def decapsulate(ctx: Context, params: Params) -> Result:
    """Decapsulate: the shared secret of an ML-KEM ciphertext (implicit rejection, as in AWS)."""
    key = _kem_key(ctx, params)
    ciphertext = params["SharedSecretCiphertextBlob"]
    private_key = key_pairs.private_key_of(ctx.operation, key)
    secret = key_pairs.decapsulate(key.key_spec, private_key, ciphertext)
    if secret is None:
        raise AwsError("InvalidCiphertextException", "")
    answer_dry_run(params)
    note_use(ctx, key)
    return {
        "KeyId": key.arn,
        "SharedSecret": secret,
        "EncapsulationAlgorithm": params["EncapsulationAlgorithm"],
    }
