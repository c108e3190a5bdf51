"""Asymmetric keys' own operations: GetPublicKey, Sign and Verify."""

from __future__ import annotations

from ..domain import key_pairs, signing
from ..domain.aws_error import AwsError
from ..domain.key_specs import SIGN_VERIFY, check_algorithm, is_asymmetric
from ..domain.key_states import KeyUse
from ..domain.keys import KmsKey
from .key_operations import key_kind
from .key_reference import find_key
from .key_usage import answer_dry_run, usable_key
from .registry import Context, Params, Result, operation
from .usage_operations import note_use

__all__: list[str] = []


@operation("GetPublicKey")
def get_public_key(ctx: Context, params: Params) -> Result:
    """GetPublicKey: the DER SubjectPublicKeyInfo of an asymmetric key, and what it is for."""
    key = find_key(ctx, params["KeyId"], KeyUse.PUBLIC_KEY)
    if not is_asymmetric(key.key_spec):
        raise AwsError(
            "UnsupportedOperationException",
            f"{key.arn} key spec is {key.key_spec} which is not valid for GetPublicKey.",
        )
    public_key = key_pairs.public_key_of(ctx.operation, key)
    return {
        "KeyId": key.arn,
        "PublicKey": key_pairs.public_key_der(public_key),
        **key_kind(key.key_spec, key.key_usage),
    }


def _signing_request(ctx: Context, params: Params) -> tuple[KmsKey, str, str]:
    """The checks Sign and Verify share: the key, its usage, the algorithm, the message."""
    key = usable_key(ctx, params, KeyUse.PUBLIC_KEY, SIGN_VERIFY)
    algorithm = params["SigningAlgorithm"]
    check_algorithm(key.key_spec, key.key_usage, algorithm)
    message_type = params.get("MessageType", "RAW")
    signing.check_message(ctx.operation, key.key_spec, algorithm, message_type, params["Message"])
    key_pairs.check_available(ctx.operation, key.key_spec)
    answer_dry_run(params)
    return key, algorithm, message_type


@operation("Sign")
def sign(ctx: Context, params: Params) -> Result:
    """Sign: a signature of the message (or digest, or ML-DSA μ) with the key's private key."""
    key, algorithm, message_type = _signing_request(ctx, params)
    private_key = key_pairs.private_key_of(ctx.operation, key)
    signature = signing.sign(private_key, algorithm, message_type, params["Message"])
    note_use(ctx, key)
    return {"KeyId": key.arn, "Signature": signature, "SigningAlgorithm": algorithm}


@operation("Verify")
def verify(ctx: Context, params: Params) -> Result:
    """Verify: the signature is the key's, or KMSInvalidSignatureException."""
    key, algorithm, message_type = _signing_request(ctx, params)
    public_key = key_pairs.public_key_of(ctx.operation, key)
    if not signing.verify(
        public_key, algorithm, message_type, params["Message"], params["Signature"]
    ):
        raise AwsError("KMSInvalidSignatureException", "")
    note_use(ctx, key)
    return {"KeyId": key.arn, "SignatureValid": True, "SigningAlgorithm": algorithm}
