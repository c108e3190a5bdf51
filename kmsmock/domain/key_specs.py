"""Key specs and key usages: what each KeySpec may be used for, and with which algorithms.

:data:`KEY_SPECS` is the one table of these rules, from the KeySpec and
KeyUsage text of CreateKey in botocore's model and the Developer Guide's
"Key spec reference": for each KeySpec, the KeyUsage values it allows and,
for each of them, the algorithms a key of that kind supports (the list
KeyMetadata and GetPublicKey show under :data:`ALGORITHM_MEMBERS`). Every
name in it is a value of the model's enums (a test checks them against
botocore's model, so a new KeySpec in botocore fails it).

The checks below raise AWS's errors for a kind of key or an algorithm that
does not fit; they read only the table.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from .aws_error import AwsError

__all__ = [
    "ALGORITHM_MEMBERS",
    "CHINA_REGIONS",
    "DATA_KEY_PAIR_SPECS",
    "ENCAPSULATE_DECAPSULATE",
    "ENCRYPT_DECRYPT",
    "GENERATE_VERIFY_MAC",
    "HMAC_KEY_BYTES",
    "KEY_AGREEMENT",
    "KEY_SPECS",
    "LEGACY_SPECS",
    "SIGN_VERIFY",
    "SYMMETRIC_DEFAULT",
    "algorithms",
    "check_algorithm",
    "check_key_kind",
    "check_region",
    "check_usage",
    "is_asymmetric",
    "key_type",
]

SYMMETRIC_DEFAULT: Final = "SYMMETRIC_DEFAULT"
ENCRYPT_DECRYPT: Final = "ENCRYPT_DECRYPT"
SIGN_VERIFY: Final = "SIGN_VERIFY"
GENERATE_VERIFY_MAC: Final = "GENERATE_VERIFY_MAC"
KEY_AGREEMENT: Final = "KEY_AGREEMENT"
ENCAPSULATE_DECAPSULATE: Final = "ENCAPSULATE_DECAPSULATE"
"""The KeySpec of symmetric encryption keys, and the KeyUsage values."""

ALGORITHM_MEMBERS: Final[Mapping[str, str]] = {
    ENCRYPT_DECRYPT: "EncryptionAlgorithms",
    SIGN_VERIFY: "SigningAlgorithms",
    GENERATE_VERIFY_MAC: "MacAlgorithms",
    KEY_AGREEMENT: "KeyAgreementAlgorithms",
    ENCAPSULATE_DECAPSULATE: "EncapsulationAlgorithms",
}
"""The KeyMetadata (and GetPublicKey) member that lists a key's algorithms, by key usage."""

_RSA_OAEP = ("RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256")
_RSA_SIGNING = (
    "RSASSA_PKCS1_V1_5_SHA_256",
    "RSASSA_PKCS1_V1_5_SHA_384",
    "RSASSA_PKCS1_V1_5_SHA_512",
    "RSASSA_PSS_SHA_256",
    "RSASSA_PSS_SHA_384",
    "RSASSA_PSS_SHA_512",
)
_ECDH = ("ECDH",)
_ML_DSA = ("ML_DSA_SHAKE_256",)
_ML_KEM = ("ML_KEM",)

KEY_SPECS: Final[Mapping[str, Mapping[str, tuple[str, ...]]]] = {
    # KeySpec                  KeyUsage                  algorithms
    "SYMMETRIC_DEFAULT":     {ENCRYPT_DECRYPT:         ("SYMMETRIC_DEFAULT",)},
    "HMAC_224":              {GENERATE_VERIFY_MAC:     ("HMAC_SHA_224",)},
    "HMAC_256":              {GENERATE_VERIFY_MAC:     ("HMAC_SHA_256",)},
    "HMAC_384":              {GENERATE_VERIFY_MAC:     ("HMAC_SHA_384",)},
    "HMAC_512":              {GENERATE_VERIFY_MAC:     ("HMAC_SHA_512",)},
    "RSA_2048":              {ENCRYPT_DECRYPT:         _RSA_OAEP,
                              SIGN_VERIFY:             _RSA_SIGNING},
    "RSA_3072":              {ENCRYPT_DECRYPT:         _RSA_OAEP,
                              SIGN_VERIFY:             _RSA_SIGNING},
    "RSA_4096":              {ENCRYPT_DECRYPT:         _RSA_OAEP,
                              SIGN_VERIFY:             _RSA_SIGNING},
    "ECC_NIST_P256":         {SIGN_VERIFY:             ("ECDSA_SHA_256",),
                              KEY_AGREEMENT:           _ECDH},
    "ECC_NIST_P384":         {SIGN_VERIFY:             ("ECDSA_SHA_384",),
                              KEY_AGREEMENT:           _ECDH},
    "ECC_NIST_P521":         {SIGN_VERIFY:             ("ECDSA_SHA_512",),
                              KEY_AGREEMENT:           _ECDH},
    "ECC_SECG_P256K1":       {SIGN_VERIFY:             ("ECDSA_SHA_256",)},
    "ECC_NIST_EDWARDS25519": {SIGN_VERIFY:             ("ED25519_SHA_512", "ED25519_PH_SHA_512")},
    "ML_DSA_44":             {SIGN_VERIFY:             _ML_DSA},
    "ML_DSA_65":             {SIGN_VERIFY:             _ML_DSA},
    "ML_DSA_87":             {SIGN_VERIFY:             _ML_DSA},
    "ML_KEM_512":            {ENCAPSULATE_DECAPSULATE: _ML_KEM},
    "ML_KEM_768":            {ENCAPSULATE_DECAPSULATE: _ML_KEM},
    "ML_KEM_1024":           {ENCAPSULATE_DECAPSULATE: _ML_KEM},
    "SM2":                   {ENCRYPT_DECRYPT:         ("SM2PKE",),
                              SIGN_VERIFY:             ("SM2DSA",),
                              KEY_AGREEMENT:           _ECDH},
}  # fmt: skip
"""For each KeySpec: the KeyUsage values it allows and the algorithms of each."""

LEGACY_SPECS: Final = frozenset(
    {
        *("RSA_2048", "RSA_3072", "RSA_4096"),
        *("ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521", "ECC_SECG_P256K1"),
        *("SYMMETRIC_DEFAULT", "HMAC_224", "HMAC_256", "HMAC_384", "HMAC_512", "SM2"),
    }
)
"""The key specs the deprecated CustomerMasterKeySpec enum can name (KeyMetadata shows it
only for these)."""

DATA_KEY_PAIR_SPECS: Final = (
    *("RSA_2048", "RSA_3072", "RSA_4096"),
    *("ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521", "ECC_SECG_P256K1"),
    *("SM2", "ECC_NIST_EDWARDS25519", "ML_KEM_512", "ML_KEM_768", "ML_KEM_1024"),
)
"""The DataKeyPairSpec values: each names the same kind of key pair as the KeySpec of that name."""

HMAC_KEY_BYTES: Final[Mapping[str, int]] = {
    "HMAC_224": 28,
    "HMAC_256": 32,
    "HMAC_384": 48,
    "HMAC_512": 64,
}
"""The length of an HMAC key's secret, by key spec (224 to 512 bits, as the spec names)."""

CHINA_REGIONS: Final = frozenset({"cn-north-1", "cn-northwest-1"})
"""The China Regions, where SM2 is offered and ML-KEM is not."""
_CHINA_ONLY: Final = frozenset({"SM2"})
_NOT_IN_CHINA: Final = frozenset({"ML_KEM_512", "ML_KEM_768", "ML_KEM_1024"})


def check_region(spec: str, region: str, member: str = "KeySpec") -> None:
    """SM2 exists only in the China Regions, and ML-KEM everywhere but there."""
    in_china = region in CHINA_REGIONS
    if (spec in _CHINA_ONLY and not in_china) or (spec in _NOT_IN_CHINA and in_china):
        raise AwsError(
            "UnsupportedOperationException", f"{member} {spec} is not supported in this Region"
        )


def check_key_kind(spec: str, usage: str | None, region: str) -> str:
    """The KeyUsage of a new key of ``spec`` (``usage`` as asked, or the default).

    Raises AWS's ValidationException when the usage is missing for a key
    other than a symmetric encryption key, or does not fit the spec, and
    UnsupportedOperationException for a spec the region does not offer.
    """
    if usage is None:
        if spec != SYMMETRIC_DEFAULT:
            raise AwsError(
                "ValidationException",
                "You must specify a KeyUsage value for all KMS keys except for symmetric "
                "encryption keys.",
            )
        usage = ENCRYPT_DECRYPT
    if usage not in KEY_SPECS[spec]:
        raise AwsError(
            "ValidationException", f"KeyUsage {usage} is not compatible with KeySpec {spec}"
        )
    check_region(spec, region)
    return usage


def is_asymmetric(spec: str) -> bool:
    """Whether a key of this spec holds a key pair (not a symmetric or an HMAC key)."""
    return spec != SYMMETRIC_DEFAULT and spec not in HMAC_KEY_BYTES


def key_type(spec: str) -> str:
    """Whether a key of this spec is "symmetric", "HMAC" or "asymmetric", as UpdateAlias asks."""
    if spec == SYMMETRIC_DEFAULT:
        return "symmetric"
    return "HMAC" if spec in HMAC_KEY_BYTES else "asymmetric"


def algorithms(spec: str, usage: str) -> tuple[str, ...]:
    """The algorithms a key of this spec and usage supports."""
    return KEY_SPECS[spec][usage]


def check_usage(key_arn: str, usage: str, required: str, operation: str) -> None:
    """InvalidKeyUsageException unless the key's usage is the one ``operation`` needs."""
    if usage != required:
        raise AwsError(
            "InvalidKeyUsageException",
            f"{key_arn} key usage is {usage} which is not valid for {operation}.",
        )


def check_algorithm(spec: str, usage: str, algorithm: str) -> None:
    """InvalidKeyUsageException unless the key supports ``algorithm``."""
    if algorithm not in KEY_SPECS[spec][usage]:
        raise AwsError(
            "InvalidKeyUsageException",
            f"Algorithm {algorithm} is incompatible with key spec {spec}.",
        )
