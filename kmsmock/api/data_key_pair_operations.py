"""Data key pairs: GenerateDataKeyPair and GenerateDataKeyPairWithoutPlaintext.

A fresh key pair of the KeyPairSpec, unrelated to the KMS key: its public
key (DER SubjectPublicKeyInfo), its private key (PKCS #8 DER) and the private
key encrypted under a symmetric encryption KMS key outside custom key stores,
in the ciphertext format Decrypt reads.
"""

from __future__ import annotations

from ..domain import backing, ciphertext, key_pairs
from ..domain.aws_error import AwsError
from ..domain.key_specs import ENCRYPT_DECRYPT, SYMMETRIC_DEFAULT, check_algorithm, check_region
from ..domain.key_states import KeyUse
from .key_usage import answer_dry_run, refuse_recipient, usable_key
from .registry import Context, Params, Result, operation
from .usage_operations import note_use

__all__: list[str] = []


def _data_key_pair(ctx: Context, params: Params) -> Result:
    key = usable_key(ctx, params, KeyUse.DATA_KEY_PAIR, ENCRYPT_DECRYPT)
    check_algorithm(key.key_spec, key.key_usage, SYMMETRIC_DEFAULT)
    if key.store is not None:
        raise AwsError(
            "UnsupportedOperationException",
            f"{key.arn} is in custom key store {key.store.id}; {ctx.operation} needs a KMS key "
            "outside custom key stores.",
        )
    spec = params["KeyPairSpec"]
    check_region(spec, ctx.region, "KeyPairSpec")
    key_pairs.check_available(ctx.operation, spec, "KeyPairSpec")
    answer_dry_run(params)
    private_key, public_key = key_pairs.new_key_pair(spec)
    material_id = key.material_id
    assert material_id is not None, "a key that may encrypt has a current material"
    materials = backing.crypto_materials(ctx.kms.world, key)
    context = params.get("EncryptionContext", {})
    sealed = ciphertext.seal(key.arn, materials, private_key, context, material_id=material_id)
    result: Result = {
        "PrivateKeyCiphertextBlob": sealed,
        "PrivateKeyPlaintext": private_key,
        "PublicKey": public_key,
        "KeyId": key.arn,
        "KeyPairSpec": spec,
    }
    if key.origin in ("AWS_KMS", "EXTERNAL"):
        result["KeyMaterialId"] = material_id
    note_use(ctx, key)
    return result


@operation("GenerateDataKeyPair")
def generate_data_key_pair(ctx: Context, params: Params) -> Result:
    """GenerateDataKeyPair: a fresh key pair, its private key also encrypted under the KMS key."""
    refuse_recipient(ctx, params)
    return _data_key_pair(ctx, params)


@operation("GenerateDataKeyPairWithoutPlaintext")
def generate_data_key_pair_without_plaintext(ctx: Context, params: Params) -> Result:
    """GenerateDataKeyPairWithoutPlaintext: the same, without the plaintext private key."""
    result = _data_key_pair(ctx, params)
    del result["PrivateKeyPlaintext"]
    return result
