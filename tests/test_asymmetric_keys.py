"""CreateKey of every KeySpec and KeyUsage, KeyMetadata and GetPublicKey of each kind of key.

EXPECTED is written here from CreateKey's KeyUsage text in the API reference
("For asymmetric KMS keys with RSA key pairs, specify ENCRYPT_DECRYPT or
SIGN_VERIFY. ..."), not from kmsmock's table; every cell goes through boto3.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import botocore.session
import pytest
from asymmetric_helpers import new_key, public_key, stored_key
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, mldsa, mlkem, rsa
from kms_helpers import connected_cloudhsm, error_code, error_of

import kmsmock
import kmsmock.activation
from kmsmock.domain.key_specs import ALGORITHM_MEMBERS, DATA_KEY_PAIR_SPECS, KEY_SPECS
from kmsmock.server.persistence import dump, load

MODEL = botocore.session.get_session().get_service_model("kms")
USAGES = list(MODEL.shape_for("KeyUsageType").enum)
SPECS = list(MODEL.shape_for("KeySpec").enum)

EXPECTED: dict[str, set[str]] = {
    "SYMMETRIC_DEFAULT": {"ENCRYPT_DECRYPT"},
    **{f"HMAC_{n}": {"GENERATE_VERIFY_MAC"} for n in (224, 256, 384, 512)},
    **{f"RSA_{n}": {"ENCRYPT_DECRYPT", "SIGN_VERIFY"} for n in (2048, 3072, 4096)},
    **{f"ECC_NIST_P{n}": {"SIGN_VERIFY", "KEY_AGREEMENT"} for n in (256, 384, 521)},
    "ECC_SECG_P256K1": {"SIGN_VERIFY"},
    "ECC_NIST_EDWARDS25519": {"SIGN_VERIFY"},
    **{f"ML_DSA_{n}": {"SIGN_VERIFY"} for n in (44, 65, 87)},
    **{f"ML_KEM_{n}": {"ENCAPSULATE_DECAPSULATE"} for n in (512, 768, 1024)},
    "SM2": {"ENCRYPT_DECRYPT", "SIGN_VERIFY", "KEY_AGREEMENT"},
}


def test_the_spec_table_names_only_the_models_values() -> None:
    assert set(KEY_SPECS) == set(SPECS) == set(EXPECTED)
    assert set(ALGORITHM_MEMBERS) == set(USAGES)
    assert set(DATA_KEY_PAIR_SPECS) == set(MODEL.shape_for("DataKeyPairSpec").enum)
    enums = {
        "EncryptionAlgorithms": "EncryptionAlgorithmSpec",
        "SigningAlgorithms": "SigningAlgorithmSpec",
        "MacAlgorithms": "MacAlgorithmSpec",
        "KeyAgreementAlgorithms": "KeyAgreementAlgorithmSpec",
        "EncapsulationAlgorithms": "EncapsulationAlgorithmSpec",
    }
    for spec, by_usage in KEY_SPECS.items():
        assert set(by_usage) == EXPECTED[spec], spec
        for usage, names in by_usage.items():
            allowed = MODEL.shape_for(enums[ALGORITHM_MEMBERS[usage]]).enum
            assert names and set(names) <= set(allowed), (spec, usage)


@pytest.mark.parametrize("usage", USAGES)
@pytest.mark.parametrize("spec", [s for s in SPECS if s != "SM2"])
def test_create_key_allows_exactly_the_documented_usages(kms: Any, spec: str, usage: str) -> None:
    if usage in EXPECTED[spec]:
        metadata = kms.create_key(KeySpec=spec, KeyUsage=usage)["KeyMetadata"]
        assert (metadata["KeySpec"], metadata["KeyUsage"]) == (spec, usage)
        assert kms.describe_key(KeyId=metadata["KeyId"])["KeyMetadata"] == metadata
    else:
        assert error_of(kms.create_key, KeySpec=spec, KeyUsage=usage) == (
            "ValidationException",
            f"KeyUsage {usage} is not compatible with KeySpec {spec}",
        )
        assert kms.list_keys()["Keys"] == []


@pytest.mark.parametrize("spec", [s for s in SPECS if s != "SYMMETRIC_DEFAULT"])
def test_every_key_but_a_symmetric_one_needs_a_key_usage(kms: Any, spec: str) -> None:
    assert error_of(kms.create_key, KeySpec=spec) == (
        "ValidationException",
        "You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.",
    )


def test_sm2_exists_only_in_the_china_regions_and_ml_kem_everywhere_else(make_client: Any) -> None:
    kms = make_client()
    assert error_of(kms.create_key, KeySpec="SM2", KeyUsage="SIGN_VERIFY") == (
        "UnsupportedOperationException",
        "KeySpec SM2 is not supported in this Region",
    )
    china = make_client(region="cn-north-1")
    for usage in sorted(EXPECTED["SM2"]):
        assert china.create_key(KeySpec="SM2", KeyUsage=usage)["KeyMetadata"]["KeySpec"] == "SM2"
    assert error_code(china.create_key, KeySpec="SM2", KeyUsage="GENERATE_VERIFY_MAC") == (
        "ValidationException"
    )
    assert error_code(
        china.create_key, KeySpec="ML_KEM_768", KeyUsage="ENCAPSULATE_DECAPSULATE"
    ) == ("UnsupportedOperationException")
    sm2 = china.create_key(KeySpec="SM2", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    with pytest.raises(kmsmock.UnimplementedOperationError, match=r"GetPublicKey.*SM2"):
        china.get_public_key(KeyId=sm2)


def test_the_deprecated_customer_master_key_spec_works_the_same(kms: Any) -> None:
    metadata = kms.create_key(CustomerMasterKeySpec="RSA_3072", KeyUsage="SIGN_VERIFY")[
        "KeyMetadata"
    ]
    assert metadata["KeySpec"] == metadata["CustomerMasterKeySpec"] == "RSA_3072"


@pytest.mark.parametrize(
    ("spec", "usage"),
    [
        ("RSA_2048", "SIGN_VERIFY"),
        ("ECC_NIST_P256", "KEY_AGREEMENT"),
        ("HMAC_256", "GENERATE_VERIFY_MAC"),
    ],
)
def test_a_custom_key_store_holds_only_symmetric_keys(kms: Any, spec: str, usage: str) -> None:
    store_id = connected_cloudhsm(kms)
    assert error_code(
        kms.create_key,
        CustomKeyStoreId=store_id,
        Origin="AWS_CLOUDHSM",
        KeySpec=spec,
        KeyUsage=usage,
    ) == ("UnsupportedOperationException")


# -- KeyMetadata --------------------------------------------------------------------------

METADATA_OF_KIND = [
    (
        "RSA_2048",
        "ENCRYPT_DECRYPT",
        "EncryptionAlgorithms",
        ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"],
    ),
    ("ECC_NIST_P521", "SIGN_VERIFY", "SigningAlgorithms", ["ECDSA_SHA_512"]),
    ("ECC_NIST_P256", "KEY_AGREEMENT", "KeyAgreementAlgorithms", ["ECDH"]),
    ("HMAC_384", "GENERATE_VERIFY_MAC", "MacAlgorithms", ["HMAC_SHA_384"]),
    ("ML_KEM_1024", "ENCAPSULATE_DECAPSULATE", "EncapsulationAlgorithms", ["ML_KEM"]),
    (
        "ECC_NIST_EDWARDS25519",
        "SIGN_VERIFY",
        "SigningAlgorithms",
        ["ED25519_SHA_512", "ED25519_PH_SHA_512"],
    ),
]
LISTS = {"EncryptionAlgorithms", "SigningAlgorithms", "MacAlgorithms"} | {
    "KeyAgreementAlgorithms",
    "EncapsulationAlgorithms",
}


@pytest.mark.parametrize(("spec", "usage", "member", "algorithms"), METADATA_OF_KIND)
def test_key_metadata_shows_the_one_list_of_algorithms_of_the_kind(
    kms: Any, spec: str, usage: str, member: str, algorithms: list[str]
) -> None:
    metadata = kms.create_key(KeySpec=spec, KeyUsage=usage)["KeyMetadata"]
    assert metadata[member] == algorithms
    assert LISTS & set(metadata) == {member}
    assert "CurrentKeyMaterialId" not in metadata  # only symmetric encryption keys rotate
    has_legacy = not spec.startswith(("ML_", "ECC_NIST_EDWARDS"))  # the deprecated enum's specs
    assert ("CustomerMasterKeySpec" in metadata) == has_legacy


def test_rsa_signing_keys_list_every_rsa_signing_algorithm(kms: Any) -> None:
    metadata = kms.create_key(KeySpec="RSA_4096", KeyUsage="SIGN_VERIFY")["KeyMetadata"]
    assert sorted(metadata["SigningAlgorithms"]) == sorted(
        f"RSASSA_{scheme}_SHA_{bits}"
        for scheme in ("PSS", "PKCS1_V1_5")
        for bits in (256, 384, 512)
    )


# -- key pairs: made when first needed ----------------------------------------------------


def test_create_key_makes_no_key_pair_and_no_repr_shows_one(kms: Any) -> None:
    key_id = new_key(kms, "RSA_4096", "SIGN_VERIFY")
    assert stored_key(key_id).private_key is None  # made on first use, not by CreateKey
    public_key(kms, key_id)
    made = stored_key(key_id).private_key
    assert made is not None and made.startswith(b"\x30")  # PKCS #8 DER
    assert made.hex() not in repr(stored_key(key_id)) and str(made) not in repr(stored_key(key_id))
    public_key(kms, key_id)
    assert stored_key(key_id).private_key == made  # one key pair for the key's life


PUBLIC_KEYS = [
    ("RSA_3072", "ENCRYPT_DECRYPT", rsa.RSAPublicKey, 3072),
    ("ECC_NIST_P384", "SIGN_VERIFY", ec.EllipticCurvePublicKey, "secp384r1"),
    ("ECC_SECG_P256K1", "SIGN_VERIFY", ec.EllipticCurvePublicKey, "secp256k1"),
    ("ECC_NIST_P521", "KEY_AGREEMENT", ec.EllipticCurvePublicKey, "secp521r1"),
    ("ECC_NIST_EDWARDS25519", "SIGN_VERIFY", ed25519.Ed25519PublicKey, None),
    ("ML_DSA_87", "SIGN_VERIFY", mldsa.MLDSA87PublicKey, None),
    ("ML_KEM_768", "ENCAPSULATE_DECAPSULATE", mlkem.MLKEM768PublicKey, None),
]


@pytest.mark.parametrize(("spec", "usage", "kind", "size"), PUBLIC_KEYS)
def test_get_public_key_gives_der_spki_of_the_keys_kind(
    kms: Any, spec: str, usage: str, kind: type, size: Any
) -> None:
    metadata = kms.create_key(KeySpec=spec, KeyUsage=usage)["KeyMetadata"]
    answer = kms.get_public_key(KeyId=metadata["KeyId"])
    key = public_key(kms, metadata["KeyId"])
    assert isinstance(key, kind)
    if isinstance(key, rsa.RSAPublicKey):
        assert key.key_size == size
    if isinstance(key, ec.EllipticCurvePublicKey):
        assert key.curve.name == size
    assert answer["KeyId"] == metadata["Arn"]
    listed = {name: answer[name] for name in LISTS | {"KeySpec", "KeyUsage"} if name in answer}
    expected = {
        name: metadata[name] for name in LISTS | {"KeySpec", "KeyUsage"} if name in metadata
    }
    assert listed == expected


@pytest.mark.parametrize(
    ("spec", "usage"),
    [("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT"), ("HMAC_256", "GENERATE_VERIFY_MAC")],
)
def test_get_public_key_refuses_symmetric_and_hmac_keys(kms: Any, spec: str, usage: str) -> None:
    key_id = new_key(kms, spec, usage)
    code, message = error_of(kms.get_public_key, KeyId=key_id)
    assert code == "UnsupportedOperationException" and spec in message


@pytest.mark.parametrize("state", ["disabled", "pending deletion"])
def test_get_public_key_follows_the_key_state(kms: Any, state: str) -> None:
    key_id = new_key(kms, "ECC_NIST_P256", "SIGN_VERIFY")
    if state == "disabled":
        kms.disable_key(KeyId=key_id)
        assert error_code(kms.get_public_key, KeyId=key_id) == "DisabledException"
    else:
        kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
        assert error_code(kms.get_public_key, KeyId=key_id) == "KMSInvalidStateException"


def test_asymmetric_and_hmac_keys_do_not_rotate(kms: Any) -> None:
    for spec, usage in (("RSA_2048", "ENCRYPT_DECRYPT"), ("HMAC_512", "GENERATE_VERIFY_MAC")):
        key_id = new_key(kms, spec, usage)
        assert error_code(kms.enable_key_rotation, KeyId=key_id) == "UnsupportedOperationException"
        assert error_code(kms.get_key_rotation_status, KeyId=key_id) == (
            "UnsupportedOperationException"
        )


def test_key_pairs_and_hmac_secrets_survive_a_restart(tmp_path: Path) -> None:
    with kmsmock.mock_kms_keystores():
        import boto3

        kms = boto3.client("kms", region_name="us-east-1")
        used = new_key(kms, "ECC_NIST_P256", "SIGN_VERIFY")
        unused = new_key(kms, "RSA_2048", "ENCRYPT_DECRYPT")
        hmac_key = new_key(kms, "HMAC_224", "GENERATE_VERIFY_MAC")
        before = kms.get_public_key(KeyId=used)["PublicKey"]
        mac = kms.generate_mac(KeyId=hmac_key, Message=b"m", MacAlgorithm="HMAC_SHA_224")["Mac"]
        simulation = kmsmock.activation.current()
        assert simulation is not None
        document = json.loads(json.dumps(dump(simulation)))
        metadata = kms.describe_key(KeyId=unused)["KeyMetadata"]
    with kmsmock.mock_kms_keystores():
        kms = boto3.client("kms", region_name="us-east-1")
        simulation = kmsmock.activation.current()
        assert simulation is not None
        load(simulation, document, tmp_path / "state.json")
        assert kms.get_public_key(KeyId=used)["PublicKey"] == before
        assert kms.describe_key(KeyId=unused)["KeyMetadata"] == metadata
        assert stored_key(unused).private_key is None  # still to be made on first use
        assert kms.get_public_key(KeyId=unused)["KeySpec"] == "RSA_2048"
        kms.verify_mac(KeyId=hmac_key, Message=b"m", MacAlgorithm="HMAC_SHA_224", Mac=mac)
