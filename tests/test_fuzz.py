"""Hostile input: hypothesis fuzzes every implemented operation, on both transports.

Each operation gets arbitrary JSON and near-valid requests (the operation's
own members with values of every type, boundary sizes, enum values, and the
ids, ARNs, aliases and ciphertexts of a small world of stores and keys):

- through the raw wire path: ``requests.post`` to https://kms.us-east-1.amazonaws.com/
  with ``X-Amz-Target: TrentService.<Op>``, which kmsmock answers via ``responses``;
- through botocore with ``parameter_validation=False``, so kmsmock sees every value.

Every answer must be a success or one of the operation's modeled errors,
ValidationException or SerializationException, never a 5xx; no Python
exception may escape kmsmock; and a rejected request must leave the simulated
KMS exactly as it was (a structural snapshot of everything kmsmock holds is
compared before and after). The one exception kmsmock raises on purpose,
``UnimplementedOperationError``, is accepted only for what docs/keys.md lists
as not simulated.

Inputs that once crashed kmsmock (lone surrogates, deep nesting) are pinned by
the tests at the end of this file, and lone surrogates are among the strings
generated.
"""

from __future__ import annotations

import base64
import json
import os
import time
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import boto3
import botocore.session
import pytest
import requests
from botocore.config import Config
from botocore.exceptions import ClientError
from hypothesis import given, seed, settings
from hypothesis import strategies as st
from kms_checks import check_answer
from kms_helpers import create_cloudhsm, create_xks

import kmsmock.activation
from kmsmock import KmsKeystores, UnimplementedOperationError, mock_kms_keystores
from kmsmock.api.operations import HANDLERS

MODEL = botocore.session.get_session().get_service_model("kms")
OPERATIONS = sorted(HANDLERS)
"""Every operation kmsmock implements."""

RAW_EXAMPLES = 60
BOTOCORE_EXAMPLES = 40
CHANGES_BEFORE_REBUILD = 4
"""Accepted requests that changed the world before it is built afresh."""
URL = "https://kms.us-east-1.amazonaws.com/"
ALWAYS_ALLOWED = {"ValidationException", "SerializationException"}
NOT_SIMULATED = (
    "KeySpec ",
    "KeyPairSpec ",
    "SigningAlgorithm ED25519_PH_SHA_512",
    "Origin EXTERNAL",
    "Recipient",
    "WrappingKeySpec SM2",
)
"""The features docs/keys.md lists as not simulated: UnimplementedOperationError names them."""


def allowed_errors(operation: str) -> set[str]:
    """The error codes a fuzzed request may answer (no injected faults, so no throttling)."""
    return {shape.name for shape in MODEL.operation_model(operation).error_shapes} | ALWAYS_ALLOWED


# -- the world the requests aim at -----------------------------------------------------


@dataclass
class World:
    """Stores, keys, an alias and ciphertexts, and the placeholders that name them."""

    values: dict[str, str] = field(default_factory=dict)

    def fill(self, payload: Any) -> Any:
        """``payload`` with every placeholder replaced by the value it names."""
        if isinstance(payload, str):
            return self.values.get(payload, payload)
        if isinstance(payload, list):
            return [self.fill(item) for item in payload]
        if isinstance(payload, dict):
            return {key: self.fill(item) for key, item in payload.items()}
        return payload


PLACEHOLDERS = (
    "@hsm-store",
    "@xks-store",
    "@idle-store",
    "@hsm-key",
    "@hsm-key-arn",
    "@xks-key",
    "@standard-key",
    "@disabled-key",
    "@pending-key",
    "@alias",
    "@alias-arn",
    "@foreign-key-arn",
    "@ciphertext",
    "@standard-ciphertext",
    "@tampered-ciphertext",
    "@grant-id",
    "@grant-token",
    "@sign-key",
    "@signature",
    "@rsa-key",
    "@rsa-ciphertext",
    "@agreement-key",
    "@peer-public-key",
    "@kem-key",
    "@kem-ciphertext",
    "@hmac-key",
    "@mac",
    "@imported-key",
    "@pending-import-key",
    "@import-token",
    "@wrapped-material",
    "@pending-import-ec-key",
    "@ec-import-token",
    "@wrapped-ec-material",
    "@mrk-key",
)


APP_ROLE = "arn:aws:iam::123456789012:role/app"
ADMIN_ROLE = "arn:aws:iam::123456789012:role/admin"


def build_world(kms: Any) -> World:
    """Create the world through KMS itself and return its placeholders."""
    world = World()
    values = world.values
    hsm = create_cloudhsm(kms, "hsm-store")
    xks = create_xks(kms, "xks-store")
    idle = create_cloudhsm(kms, "idle-store", CloudHsmClusterId="cluster-234567abcdeg")
    for store_id in (hsm, xks):
        kms.connect_custom_key_store(CustomKeyStoreId=store_id)
    hsm_key = kms.create_key(CustomKeyStoreId=hsm, Origin="AWS_CLOUDHSM")["KeyMetadata"]
    xks_key = kms.create_key(
        CustomKeyStoreId=xks, Origin="EXTERNAL_KEY_STORE", XksKeyId="fuzz-external-key"
    )["KeyMetadata"]
    standard = kms.create_key(Tags=[{"TagKey": "team", "TagValue": "fuzz"}])["KeyMetadata"]
    disabled = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.disable_key(KeyId=disabled)
    pending = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.schedule_key_deletion(KeyId=pending, PendingWindowInDays=7)
    kms.create_alias(AliasName="alias/fuzz", TargetKeyId=hsm_key["KeyId"])
    blob = kms.encrypt(KeyId=hsm_key["KeyId"], Plaintext=b"fuzz")["CiphertextBlob"]
    standard_blob = kms.encrypt(
        KeyId=standard["KeyId"], Plaintext=b"fuzz", EncryptionContext={"purpose": "fuzz"}
    )["CiphertextBlob"]
    tampered = blob[:-1] + bytes([blob[-1] ^ 1])
    granted = kms.create_grant(
        KeyId=standard["KeyId"],
        GranteePrincipal=APP_ROLE,
        RetiringPrincipal=ADMIN_ROLE,
        Operations=["Encrypt", "Decrypt"],
    )
    values.update(asymmetric_world(kms))
    imported = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
    for _ in range(2):  # the current material, then one pending rotation
        token, wrapped = wrapped_material(kms, imported)
        kms.import_key_material(
            KeyId=imported,
            ImportToken=token,
            EncryptedKeyMaterial=wrapped,
            ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE",
            ImportType="NEW_KEY_MATERIAL",
        )
    mrk = kms.create_key(MultiRegion=True)["KeyMetadata"]["KeyId"]
    kms.replicate_key(KeyId=mrk, ReplicaRegion="us-west-2")
    pending_import = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
    pending_token, pending_wrapped = wrapped_material(kms, pending_import)
    pending_ec = kms.create_key(Origin="EXTERNAL", KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")[
        "KeyMetadata"
    ]["KeyId"]
    ec_token, ec_wrapped = wrapped_material(kms, pending_ec, ec_private_key())
    values.update(
        {
            "@hsm-store": hsm,
            "@xks-store": xks,
            "@idle-store": idle,
            "@hsm-key": hsm_key["KeyId"],
            "@hsm-key-arn": hsm_key["Arn"],
            "@xks-key": xks_key["KeyId"],
            "@standard-key": standard["KeyId"],
            "@disabled-key": disabled,
            "@pending-key": pending,
            "@alias": "alias/fuzz",
            "@alias-arn": hsm_key["Arn"].replace(f"key/{hsm_key['KeyId']}", "alias/fuzz"),
            "@foreign-key-arn": hsm_key["Arn"].replace(":123456789012:", ":111122223333:"),
            "@ciphertext": base64.b64encode(blob).decode(),
            "@standard-ciphertext": base64.b64encode(standard_blob).decode(),
            "@tampered-ciphertext": base64.b64encode(tampered).decode(),
            "@grant-id": granted["GrantId"],
            "@grant-token": granted["GrantToken"],
            "@imported-key": imported,
            "@pending-import-key": pending_import,
            "@import-token": base64.b64encode(pending_token).decode(),
            "@wrapped-material": base64.b64encode(pending_wrapped).decode(),
            "@pending-import-ec-key": pending_ec,
            "@ec-import-token": base64.b64encode(ec_token).decode(),
            "@wrapped-ec-material": base64.b64encode(ec_wrapped).decode(),
            "@mrk-key": mrk,
        }
    )
    return world


def asymmetric_world(kms: Any) -> dict[str, str]:
    """Asymmetric and HMAC keys, with a signature, a MAC and ciphertexts of theirs.

    Every key pair here is used once, so that its material (made on first
    use) already exists: a fuzzed request then changes nothing it rejects.
    """

    def new(spec: str, usage: str) -> str:
        return str(kms.create_key(KeySpec=spec, KeyUsage=usage)["KeyMetadata"]["KeyId"])

    sign_key = new("ECC_NIST_P256", "SIGN_VERIFY")
    rsa_key = new("RSA_2048", "ENCRYPT_DECRYPT")
    agreement_key = new("ECC_NIST_P256", "KEY_AGREEMENT")
    peer = new("ECC_NIST_P256", "KEY_AGREEMENT")
    kem_key = new("ML_KEM_768", "ENCAPSULATE_DECAPSULATE")
    hmac_key = new("HMAC_256", "GENERATE_VERIFY_MAC")
    kms.get_public_key(KeyId=agreement_key)
    signature = kms.sign(KeyId=sign_key, Message=b"fuzz", SigningAlgorithm="ECDSA_SHA_256")
    rsa_blob = kms.encrypt(KeyId=rsa_key, Plaintext=b"fuzz", EncryptionAlgorithm="RSAES_OAEP_SHA_1")
    kem = kms.encapsulate(KeyId=kem_key, EncapsulationAlgorithm="ML_KEM")
    mac = kms.generate_mac(KeyId=hmac_key, Message=b"fuzz", MacAlgorithm="HMAC_SHA_256")
    return {
        "@sign-key": sign_key,
        "@signature": b64(signature["Signature"]),
        "@rsa-key": rsa_key,
        "@rsa-ciphertext": b64(rsa_blob["CiphertextBlob"]),
        "@agreement-key": agreement_key,
        "@peer-public-key": b64(kms.get_public_key(KeyId=peer)["PublicKey"]),
        "@kem-key": kem_key,
        "@kem-ciphertext": b64(kem["SharedSecretCiphertextBlob"]),
        "@hmac-key": hmac_key,
        "@mac": b64(mac["Mac"]),
    }


def wrapped_material(kms: Any, key_id: str, material: bytes | None = None) -> tuple[bytes, bytes]:
    """An import token for the key, and key material (fresh AES key by default) wrapped for it."""
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding

    answer = kms.get_parameters_for_import(
        KeyId=key_id, WrappingAlgorithm="RSAES_OAEP_SHA_256", WrappingKeySpec="RSA_2048"
    )
    public = serialization.load_der_public_key(answer["PublicKey"])
    oaep = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
    plain = os.urandom(32) if material is None else material
    return answer["ImportToken"], public.encrypt(plain, oaep)  # type: ignore[union-attr]


def ec_private_key() -> bytes:
    """A fresh ECC_NIST_P256 private key, PKCS #8 DER, for an imported asymmetric key."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    return ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


# -- a snapshot of everything the simulated KMS holds ------------------------------------


def freeze(value: Any, depth: int = 0) -> Any:
    """A comparable copy of ``value``: every attribute of every object, recursively."""
    if value is None or isinstance(value, (bool, int, float, str, bytes)):
        return value
    if depth > 16:
        return "<deep>"
    if isinstance(value, Enum):
        return (type(value).__name__, value.value)
    if isinstance(value, Mapping):
        return (
            "map",
            tuple(sorted((repr(freeze(k)), freeze(v, depth + 1)) for k, v in value.items())),
        )
    if isinstance(value, (list, tuple)) or type(value).__name__ == "deque":
        return ("seq", tuple(freeze(item, depth + 1) for item in value))
    if isinstance(value, (set, frozenset)):
        return ("set", tuple(sorted(repr(freeze(item, depth + 1)) for item in value)))
    if callable(value) or "lock" in type(value).__name__.lower():
        return "<skipped>"
    attributes: dict[str, Any] = dict(getattr(value, "__dict__", {}))
    for cls in type(value).__mro__:
        for name in getattr(cls, "__slots__", ()):
            if hasattr(value, name):
                attributes[name] = getattr(value, name)
    return (
        type(value).__name__,
        tuple(sorted((name, freeze(item, depth + 1)) for name, item in attributes.items())),
    )


def snapshot() -> Any:
    """Everything the active simulated KMS holds, except its call log."""
    simulation = kmsmock.activation.current()
    assert simulation is not None
    return freeze((simulation.kms, simulation.faults))


# -- strategies ------------------------------------------------------------------------

json_leaves = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
)
any_json = st.recursive(
    json_leaves,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


SPECIAL_STRINGS = (
    "",
    " ",
    "alias/aws/reserved",
    "alias/",
    "alias/new-fuzz",
    "arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000",
    "arn:aws:kms:eu-west-1:123456789012:alias/fuzz",
    "arn:aws:kms:",
    "mrk-0123456789abcdef0123456789abcdef",
    "cks-00000000000000000",
    "cluster-234567abcdzz",
    "https://xks.example.com",
    "/kms/xks/v1",
    "ÿé中\U0001f600\u200b",
    "\ud800",
    "a\udfffb" * 20,
    "null",
    '{"Version": "2012-10-17", "Statement": []}',
    "[]",
)


def string_values(shape: Any) -> st.SearchStrategy[str]:
    """Strings for a string member: the world's names, boundary lengths, oddities, any text."""
    meta = shape.metadata
    low, high = meta.get("min", 0), min(meta.get("max", 64), 5000)
    lengths = sorted({max(low - 1, 0), low, high, high + 1})
    choices: list[st.SearchStrategy[str]] = [
        st.sampled_from(PLACEHOLDERS),
        st.sampled_from(lengths).map(lambda n: "a" * n),
        st.sampled_from(SPECIAL_STRINGS),
        st.text(max_size=40),
    ]
    if shape.enum:
        choices.insert(0, st.sampled_from(list(shape.enum)))
    return st.one_of(choices)


def blob_values(shape: Any) -> st.SearchStrategy[str]:
    high = shape.metadata.get("max", 64)
    return st.one_of(
        st.sampled_from(
            [
                "@ciphertext",
                "@standard-ciphertext",
                "@tampered-ciphertext",
                "@signature",
                "@rsa-ciphertext",
                "@peer-public-key",
                "@kem-ciphertext",
                "@mac",
                "@import-token",
                "@wrapped-material",
            ]
        ),
        st.binary(max_size=64).map(b64),
        st.sampled_from([b64(b"x" * high), b64(b"x" * (high + 1)), "", "not base64!", "AAA"]),
    )


def typed(shape: Any, depth: int = 0) -> st.SearchStrategy[Any]:
    """Values for a member of ``shape``: usually of its type, now and then any JSON at all."""
    kind = shape.type_name
    meta = shape.metadata
    right: st.SearchStrategy[Any]
    if kind == "string":
        right = string_values(shape)
    elif kind in ("integer", "long"):
        low, high = meta.get("min", 0), meta.get("max", 2**31)
        right = st.one_of(
            st.sampled_from([low - 1, low, high, high + 1, 0, -1, 2**63]), st.integers(low, high)
        )
    elif kind == "boolean":
        right = st.booleans()
    elif kind == "blob":
        right = blob_values(shape)
    elif kind == "timestamp":
        right = st.floats(allow_nan=False) | st.integers()
    elif kind == "list":
        right = st.lists(typed(shape.member, depth + 1), max_size=4)
    elif kind == "map":
        right = st.dictionaries(st.text(max_size=12), typed(shape.value, depth + 1), max_size=4)
    elif depth < 3:  # structure
        right = structure(shape, depth + 1, extras=False)
    else:
        right = st.just({})
    return st.integers(0, 9).flatmap(lambda n: json_leaves if n == 0 else right)


def structure(shape: Any, depth: int = 0, *, extras: bool) -> st.SearchStrategy[dict[str, Any]]:
    """Objects with some of ``shape``'s members (and, with ``extras``, unknown ones)."""
    members = st.fixed_dictionaries(
        {}, optional={name: typed(member, depth) for name, member in shape.members.items()}
    )
    if not extras:
        return members
    unknown = st.dictionaries(st.text(max_size=12), any_json, max_size=2)
    return st.builds(lambda known, more: {**more, **known}, members, unknown)


HELLO = b64(b"hello")
HSM_PARAMS = {
    "CustomKeyStoreName": "fresh-store",
    "CloudHsmClusterId": "cluster-234567abcdzz",
    "TrustAnchorCertificate": "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----",
    "KeyStorePassword": "kmsuser-Passw0rd",
}
XKS_PARAMS = {
    "CustomKeyStoreName": "fresh-xks-store",
    "CustomKeyStoreType": "EXTERNAL_KEY_STORE",
    "XksProxyUriEndpoint": "https://xks-fresh.example.com",
    "XksProxyUriPath": "/kms/xks/v1",
    "XksProxyConnectivity": "PUBLIC_ENDPOINT",
    "XksProxyAuthenticationCredential": {
        "AccessKeyId": "ABCDEFGHIJKLMNOPQRST",
        "RawSecretAccessKey": "K4M5S6M7O8C9KxSecretAccessKeyValue0123456789abcdef",
    },
}
VPC_SERVICE = "com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0"
POLICY = '{"Version": "2012-10-17", "Statement": []}'

TEMPLATES: dict[str, list[dict[str, Any]]] = {
    "CancelKeyDeletion": [{"KeyId": "@pending-key"}],
    "ConnectCustomKeyStore": [{"CustomKeyStoreId": "@idle-store"}],
    "CreateAlias": [{"AliasName": "alias/new-fuzz", "TargetKeyId": "@standard-key"}],
    "CreateCustomKeyStore": [
        HSM_PARAMS,
        XKS_PARAMS,
        {**HSM_PARAMS, "CustomKeyStoreName": "hsm-store"},
        {
            **XKS_PARAMS,
            "XksProxyConnectivity": "VPC_ENDPOINT_SERVICE",
            "XksProxyVpcEndpointServiceName": VPC_SERVICE,
        },
    ],
    "CreateGrant": [
        {"KeyId": "@standard-key", "GranteePrincipal": APP_ROLE, "Operations": ["Decrypt"]},
        {
            "KeyId": "@hsm-key",
            "GranteePrincipal": APP_ROLE,
            "RetiringPrincipal": ADMIN_ROLE,
            "Operations": ["GenerateDataKey", "DescribeKey"],
            "Constraints": {"EncryptionContextSubset": {"a": "b"}},
            "Name": "fuzz-grant",
            "GrantTokens": ["@grant-token"],
        },
    ],
    "CreateKey": [
        {},
        {"Origin": "EXTERNAL", "Description": "fuzz"},
        {"Origin": "EXTERNAL", "KeySpec": "RSA_3072", "KeyUsage": "ENCRYPT_DECRYPT"},
        {"Origin": "EXTERNAL", "KeySpec": "HMAC_256", "KeyUsage": "GENERATE_VERIFY_MAC"},
        {"CustomKeyStoreId": "@hsm-store", "Origin": "AWS_CLOUDHSM", "Description": "fuzz"},
        {"CustomKeyStoreId": "@xks-store", "Origin": "EXTERNAL_KEY_STORE", "XksKeyId": "new-key"},
        {"Policy": POLICY, "Tags": [{"TagKey": "team", "TagValue": "fuzz"}]},
        {"KeySpec": "ECC_NIST_P384", "KeyUsage": "SIGN_VERIFY"},
        {"KeySpec": "HMAC_512", "KeyUsage": "GENERATE_VERIFY_MAC"},
    ],
    "Decrypt": [
        {"CiphertextBlob": "@ciphertext"},
        {
            "CiphertextBlob": "@standard-ciphertext",
            "EncryptionContext": {"purpose": "fuzz"},
            "KeyId": "@standard-key",
        },
        {"DryRun": True, "DryRunModifiers": ["IGNORE_CIPHERTEXT"], "KeyId": "@hsm-key"},
        {
            "CiphertextBlob": "@rsa-ciphertext",
            "KeyId": "@rsa-key",
            "EncryptionAlgorithm": "RSAES_OAEP_SHA_1",
        },
    ],
    "Decapsulate": [
        {
            "KeyId": "@kem-key",
            "EncapsulationAlgorithm": "ML_KEM",
            "SharedSecretCiphertextBlob": "@kem-ciphertext",
        }
    ],
    "DeleteAlias": [{"AliasName": "@alias"}],
    "DeriveSharedSecret": [
        {
            "KeyId": "@agreement-key",
            "KeyAgreementAlgorithm": "ECDH",
            "PublicKey": "@peer-public-key",
        }
    ],
    "DeleteImportedKeyMaterial": [{"KeyId": "@imported-key"}],
    "DeleteCustomKeyStore": [{"CustomKeyStoreId": "@idle-store"}],
    "DescribeCustomKeyStores": [
        {},
        {"CustomKeyStoreId": "@hsm-store"},
        {"CustomKeyStoreName": "xks-store"},
        {"Limit": 1},
    ],
    "DescribeKey": [{"KeyId": "@alias"}, {"KeyId": "@foreign-key-arn"}],
    "DisableKey": [{"KeyId": "@standard-key"}],
    "DisableKeyRotation": [{"KeyId": "@standard-key"}],
    "DisconnectCustomKeyStore": [{"CustomKeyStoreId": "@hsm-store"}],
    "EnableKey": [{"KeyId": "@disabled-key"}],
    "EnableKeyRotation": [{"KeyId": "@standard-key", "RotationPeriodInDays": 90}],
    "Encapsulate": [{"KeyId": "@kem-key", "EncapsulationAlgorithm": "ML_KEM"}],
    "Encrypt": [
        {"KeyId": "@hsm-key", "Plaintext": HELLO},
        {"KeyId": "@xks-key", "Plaintext": HELLO, "EncryptionContext": {"a": "b"}},
        {"KeyId": "@standard-key", "Plaintext": HELLO, "GrantTokens": ["@grant-token"]},
        {"KeyId": "@rsa-key", "Plaintext": HELLO, "EncryptionAlgorithm": "RSAES_OAEP_SHA_256"},
    ],
    "GenerateDataKey": [
        {"KeyId": "@hsm-key", "KeySpec": "AES_256"},
        {"KeyId": "@xks-key", "NumberOfBytes": 64, "DryRun": False},
    ],
    "GenerateDataKeyPair": [
        {"KeyId": "@standard-key", "KeyPairSpec": "ECC_NIST_P256"},
        {
            "KeyId": "@alias",
            "KeyPairSpec": "ECC_NIST_EDWARDS25519",
            "EncryptionContext": {"a": "b"},
        },
    ],
    "GenerateDataKeyPairWithoutPlaintext": [
        {"KeyId": "@standard-key", "KeyPairSpec": "ECC_SECG_P256K1"},
    ],
    "GenerateDataKeyWithoutPlaintext": [
        {"KeyId": "@alias", "KeySpec": "AES_128"},
        {"KeyId": "@standard-key", "NumberOfBytes": 1},
    ],
    "GenerateRandom": [
        {"NumberOfBytes": 32},
        {"NumberOfBytes": 16, "CustomKeyStoreId": "@hsm-store"},
    ],
    "GenerateMac": [{"KeyId": "@hmac-key", "Message": HELLO, "MacAlgorithm": "HMAC_SHA_256"}],
    "GetKeyPolicy": [{"KeyId": "@standard-key", "PolicyName": "default"}],
    "GetKeyRotationStatus": [{"KeyId": "@standard-key"}],
    "GetPublicKey": [{"KeyId": "@sign-key"}, {"KeyId": "@rsa-key"}],
    "GetKeyLastUsage": [{"KeyId": "@standard-key"}, {"KeyId": "@imported-key"}],
    "GetParametersForImport": [
        {
            "KeyId": "@pending-import-key",
            "WrappingAlgorithm": "RSA_AES_KEY_WRAP_SHA_256",
            "WrappingKeySpec": "RSA_2048",
        },
        {
            "KeyId": "@pending-import-ec-key",
            "WrappingAlgorithm": "RSAES_OAEP_SHA_1",
            "WrappingKeySpec": "RSA_3072",
        },
    ],
    "ImportKeyMaterial": [
        {
            "KeyId": "@pending-import-key",
            "ImportToken": "@import-token",
            "EncryptedKeyMaterial": "@wrapped-material",
            "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE",
        },
        {
            "KeyId": "@pending-import-key",
            "ImportToken": "@import-token",
            "EncryptedKeyMaterial": "@wrapped-material",
            "ValidTo": int(time.time()) + 30 * 86_400,
            "KeyMaterialDescription": "fuzz material",
        },
        {
            "KeyId": "@pending-import-ec-key",
            "ImportToken": "@ec-import-token",
            "EncryptedKeyMaterial": "@wrapped-ec-material",
            "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE",
        },
    ],
    "ListAliases": [{}, {"KeyId": "@hsm-key", "Limit": 1}],
    "ListGrants": [
        {"KeyId": "@standard-key"},
        {"KeyId": "@standard-key", "GrantId": "@grant-id", "Limit": 1},
    ],
    "ListKeyPolicies": [{"KeyId": "@standard-key"}],
    "ListKeyRotations": [
        {"KeyId": "@standard-key", "IncludeKeyMaterial": "ALL_KEY_MATERIAL"},
        {"KeyId": "@imported-key", "Limit": 1},
    ],
    "ListKeys": [{}, {"Limit": 1}],
    "ListResourceTags": [{"KeyId": "@standard-key", "Limit": 1}],
    "ListRetirableGrants": [{"RetiringPrincipal": ADMIN_ROLE}, {"RetiringPrincipal": APP_ROLE}],
    "PutKeyPolicy": [{"KeyId": "@standard-key", "PolicyName": "default", "Policy": POLICY}],
    "ReplicateKey": [
        {"KeyId": "@mrk-key", "ReplicaRegion": "eu-west-1"},
        {"KeyId": "@mrk-key", "ReplicaRegion": "ap-south-1", "Description": "d", "Policy": POLICY},
    ],
    "RotateKeyOnDemand": [
        {"KeyId": "@standard-key"},
        {"KeyId": "@imported-key"},
        {"KeyId": "@mrk-key"},
    ],
    "ReEncrypt": [
        {"CiphertextBlob": "@ciphertext", "DestinationKeyId": "@standard-key"},
        {
            "CiphertextBlob": "@standard-ciphertext",
            "SourceEncryptionContext": {"purpose": "fuzz"},
            "DestinationKeyId": "@xks-key",
        },
    ],
    "RetireGrant": [
        {"GrantToken": "@grant-token"},
        {"KeyId": "@standard-key", "GrantId": "@grant-id", "DryRun": True},
    ],
    "RevokeGrant": [{"KeyId": "@standard-key", "GrantId": "@grant-id"}],
    "ScheduleKeyDeletion": [
        {"KeyId": "@standard-key", "PendingWindowInDays": 7},
        {"KeyId": "@pending-import-key"},
    ],
    "Sign": [
        {"KeyId": "@sign-key", "Message": HELLO, "SigningAlgorithm": "ECDSA_SHA_256"},
        {
            "KeyId": "@sign-key",
            "Message": b64(b"d" * 32),
            "MessageType": "DIGEST",
            "SigningAlgorithm": "ECDSA_SHA_256",
        },
    ],
    "TagResource": [{"KeyId": "@standard-key", "Tags": [{"TagKey": "k", "TagValue": "v"}]}],
    "UntagResource": [{"KeyId": "@standard-key", "TagKeys": ["team"]}],
    "UpdateAlias": [{"AliasName": "@alias", "TargetKeyId": "@standard-key"}],
    "UpdateCustomKeyStore": [
        {"CustomKeyStoreId": "@idle-store", "NewCustomKeyStoreName": "renamed"},
        {"CustomKeyStoreId": "@xks-store", "XksProxyUriPath": "/other/kms/xks/v1"},
        {"CustomKeyStoreId": "@idle-store", "KeyStorePassword": "another-password"},
    ],
    "UpdateKeyDescription": [{"KeyId": "@hsm-key", "Description": "new"}],
    "UpdatePrimaryRegion": [{"KeyId": "@mrk-key", "PrimaryRegion": "us-west-2"}],
    "Verify": [
        {
            "KeyId": "@sign-key",
            "Message": b64(b"fuzz"),
            "Signature": "@signature",
            "SigningAlgorithm": "ECDSA_SHA_256",
        }
    ],
    "VerifyMac": [
        {
            "KeyId": "@hmac-key",
            "Message": b64(b"fuzz"),
            "MacAlgorithm": "HMAC_SHA_256",
            "Mac": "@mac",
        }
    ],
}
"""A request that KMS accepts, for each operation: the starting point of the mutations."""

DROP = object()


@st.composite
def mutated(draw: st.DrawFn, operation: str) -> dict[str, Any]:
    """A valid request with a few members dropped or replaced by hostile values."""
    shape = MODEL.operation_model(operation).input_shape
    request = dict(draw(st.sampled_from(TEMPLATES[operation])))
    names = sorted(shape.members) if shape is not None else []
    if not names:
        return request
    for name in draw(st.lists(st.sampled_from(names), max_size=3)):
        value = draw(st.one_of(st.just(DROP), typed(shape.members[name])))
        if value is DROP:
            request.pop(name, None)
        else:
            request[name] = value
    return request


def raw_payloads(operation: str) -> st.SearchStrategy[Any]:
    shape = MODEL.operation_model(operation).input_shape
    near_valid = structure(shape, extras=True) if shape is not None else st.just({})
    return st.one_of(mutated(operation), near_valid, mutated(operation), any_json)


def botocore_payloads(operation: str) -> st.SearchStrategy[dict[str, Any]]:
    shape = MODEL.operation_model(operation).input_shape
    near_valid = structure(shape, extras=False) if shape is not None else st.just({})
    return st.one_of(mutated(operation), near_valid)


def test_every_implemented_operation_has_a_template() -> None:
    assert sorted(TEMPLATES) == OPERATIONS


# -- the fuzzing harness ---------------------------------------------------------------


@dataclass
class Tally:
    """Outcomes of the fuzzed requests of one test."""

    cases: int = 0
    accepted: int = 0
    rejected: int = 0
    unimplemented: int = 0
    refused_by_botocore: int = 0


class Harness:
    """Runs one fuzzed request at a time against a world kept as the requests left it."""

    def __init__(self, ks: KmsKeystores, kms: Any) -> None:
        self.ks = ks
        self.kms = kms
        self.world = build_world(kms)
        self.before = snapshot()
        self.changes = 0
        self.tally = Tally()

    def rebuild(self) -> None:
        """Start again from a fresh world (after a request that changed something)."""
        self.ks.reset()
        self.world = build_world(self.kms)
        self.before = snapshot()
        self.changes = 0

    def outcome(self, operation: str, status: int, code: str | None, changed: bool) -> None:
        """Check one answer: modeled, no 5xx, and a rejection changed nothing."""
        self.tally.cases += 1
        assert status < 500, f"{operation} answered HTTP {status} ({code})"
        if code is None:
            assert status == 200
            self.tally.accepted += 1
            self.changes += changed
            if self.changes >= CHANGES_BEFORE_REBUILD:
                self.rebuild()
            return
        self.tally.rejected += 1
        assert code in allowed_errors(operation), f"{operation} answered {code}"
        assert not changed, f"{operation} was rejected with {code} but changed the simulated KMS"

    def unimplemented(self, operation: str, error: UnimplementedOperationError) -> None:
        self.tally.cases += 1
        self.tally.unimplemented += 1
        assert error.operation == operation
        assert error.feature is not None and error.feature.startswith(NOT_SIMULATED), error
        assert snapshot() == self.before, "a request kmsmock does not simulate changed its state"

    def changed(self) -> bool:
        """Whether the last request changed the simulated KMS.

        After a change, transitions it started (due at once: the delays are 0)
        are completed, so that the next request finds nothing left to do.
        """
        after = snapshot()
        if after == self.before:
            return False
        self.ks.settle()
        self.before = snapshot()
        return True


@pytest.fixture
def harness() -> Iterator[Harness]:
    with mock_kms_keystores() as ks:
        yield Harness(ks, boto3.client("kms", region_name="us-east-1"))


def fuzz_seed(operation: str, path: str) -> int:
    """A fixed seed per operation and path: every run tries the same inputs."""
    return zlib.crc32(f"{path}:{operation}".encode())


@pytest.mark.parametrize("operation", OPERATIONS)
def test_raw_wire_path_survives_hostile_json(
    operation: str, harness: Harness, report_count: Callable[[str, int], None]
) -> None:
    session = requests.Session()
    headers = {
        "X-Amz-Target": f"TrentService.{operation}",
        "Content-Type": "application/x-amz-json-1.1",
    }

    @seed(fuzz_seed(operation, "raw"))
    @settings(max_examples=RAW_EXAMPLES)
    @given(payload=raw_payloads(operation))
    def fuzz(payload: Any) -> None:
        body = json.dumps(harness.world.fill(payload))
        try:
            answer = session.post(URL, headers=headers, data=body.encode(), timeout=5)
        except UnimplementedOperationError as error:
            harness.unimplemented(operation, error)
            return
        check_answer(operation, answer.status_code, answer.content)
        code = answer.json().get("__type") if answer.status_code >= 300 else None
        harness.outcome(operation, answer.status_code, code, harness.changed())

    fuzz()
    report_count("fuzz: raw wire path, operations", 1)
    report_count("fuzz: raw wire path, cases", harness.tally.cases)
    assert harness.tally.cases >= RAW_EXAMPLES


@pytest.mark.parametrize("operation", OPERATIONS)
def test_botocore_without_validation_survives_hostile_values(
    operation: str, harness: Harness, report_count: Callable[[str, int], None]
) -> None:
    kms = boto3.client(
        "kms",
        region_name="us-east-1",
        config=Config(parameter_validation=False, retries={"total_max_attempts": 1}),
    )
    sent: list[bool] = []
    kms.meta.events.register("request-created.kms", lambda **kwargs: sent.append(True))
    method = getattr(
        kms, next(k for k, v in kms.meta.method_to_api_mapping.items() if v == operation)
    )

    @seed(fuzz_seed(operation, "botocore"))
    @settings(max_examples=BOTOCORE_EXAMPLES)
    @given(payload=botocore_payloads(operation))
    def fuzz(payload: dict[str, Any]) -> None:
        sent.clear()
        try:
            answer = method(**harness.world.fill(payload))
        except ClientError as error:
            status = error.response["ResponseMetadata"]["HTTPStatusCode"]
            code = error.response["Error"]["Code"]
            harness.outcome(operation, status, code, harness.changed())
            return
        except UnimplementedOperationError as error:
            harness.unimplemented(operation, error)
            return
        except Exception:
            if sent:  # it reached kmsmock: nothing but AWS errors may come back
                raise
            # botocore's serializer refused the value before sending anything
            harness.tally.refused_by_botocore += 1
            assert snapshot() == harness.before
            return
        status = answer["ResponseMetadata"]["HTTPStatusCode"]
        harness.outcome(operation, status, None, harness.changed())

    fuzz()
    report_count("fuzz: botocore path, operations", 1)
    report_count("fuzz: botocore path, cases", harness.tally.cases)
    report_count(
        "fuzz: botocore path, refused by botocore before sending", harness.tally.refused_by_botocore
    )
    assert harness.tally.cases + harness.tally.refused_by_botocore >= BOTOCORE_EXAMPLES


# -- hand-picked hostile bodies --------------------------------------------------------

HOSTILE_BODIES = (
    b"",
    b"   \n",
    b"null",
    b"[]",
    b"0",
    b'"a string"',
    b"{",
    b"}",
    b"\xff\xfe\x00\x00",
    b"\xef\xbb\xbf{}",
    b'{"KeyId": NaN, "Limit": Infinity}',
    b'{"Limit": -Infinity}',
    b'{"Limit": 1e999}',
    b'{"Limit": ' + b"9" * 5000 + b"}",
    b'{"KeyId": "a", "KeyId": "b"}',
    b'{"KeyId": "\\u0000"}',
    b'{"KeyId": ' + b"[" * 50 + b"]" * 50 + b"}",
    b'{"Tags": {"TagKey": []}}',
    b'{"EncryptionContext": {"": ""}, "Plaintext": "", "CiphertextBlob": "===="}',
    b'{"' + b"k" * 100_000 + b'": 1}',
)


@pytest.mark.parametrize("operation", OPERATIONS)
def test_raw_wire_path_survives_hand_picked_bodies(
    operation: str, harness: Harness, report_count: Callable[[str, int], None]
) -> None:
    headers = {"X-Amz-Target": f"TrentService.{operation}"}
    for body in HOSTILE_BODIES:
        answer = requests.post(URL, headers=headers, data=body, timeout=5)
        check_answer(operation, answer.status_code, answer.content)
        code = answer.json().get("__type") if answer.status_code >= 300 else None
        harness.outcome(operation, answer.status_code, code, harness.changed())
    report_count("fuzz: raw wire path, hand-picked cases", len(HOSTILE_BODIES))


# -- bugs the fuzzing found ------------------------------------------------------------


@pytest.mark.parametrize("operation", ["Decrypt", "ReEncrypt"])
def test_a_missing_ciphertext_blob_is_a_validation_error(operation: str, lenient_kms: Any) -> None:
    """The model makes CiphertextBlob optional (for DryRun with IGNORE_CIPHERTEXT only).

    kmsmock used to raise KeyError without it; now AWS's ValidationException.
    """
    method = getattr(lenient_kms, "decrypt" if operation == "Decrypt" else "re_encrypt")
    params = {} if operation == "Decrypt" else {"DestinationKeyId": "alias/anything"}
    with pytest.raises(ClientError) as caught:
        method(**params)
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    assert "ciphertextBlob" in caught.value.response["Error"]["Message"]


def test_ignore_ciphertext_dry_runs_check_the_keys_without_a_blob(kms: Any) -> None:
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    for call in (
        lambda: kms.decrypt(KeyId=key_id, DryRun=True, DryRunModifiers=["IGNORE_CIPHERTEXT"]),
        lambda: kms.re_encrypt(
            DestinationKeyId=key_id, DryRun=True, DryRunModifiers=["IGNORE_CIPHERTEXT"]
        ),
    ):
        with pytest.raises(ClientError) as caught:
            call()
        assert caught.value.response["Error"]["Code"] == "DryRunOperationException"
    kms.disable_key(KeyId=key_id)
    with pytest.raises(ClientError) as caught:
        kms.decrypt(KeyId=key_id, DryRun=True, DryRunModifiers=["IGNORE_CIPHERTEXT"])
    assert caught.value.response["Error"]["Code"] == "DisabledException"


def raw_answer(operation: str, body: bytes) -> tuple[int, str | None]:
    """POST a raw body; the status and error code (None on success)."""
    answer = requests.post(
        URL, headers={"X-Amz-Target": f"TrentService.{operation}"}, data=body, timeout=5
    )
    check_answer(operation, answer.status_code, answer.content)
    return answer.status_code, answer.json().get("__type") if answer.status_code >= 300 else None


def test_a_lone_surrogate_is_answered_not_raised(kms_keystores: KmsKeystores) -> None:
    status, code = raw_answer("DescribeKey", b'{"KeyId": "\\ud800"}')
    assert status == 400 and code in ("ValidationException", "SerializationException")


def test_a_lone_surrogate_from_boto3_is_answered_not_raised(kms: Any) -> None:
    with pytest.raises(ClientError):
        kms.describe_key(KeyId="\ud800")


def test_a_deeply_nested_body_is_a_serialization_error(kms_keystores: KmsKeystores) -> None:
    status, code = raw_answer("ListKeys", b"[" * 100_000 + b"]" * 100_000)
    assert (status, code) == (400, "SerializationException")


def test_a_deeply_nested_key_policy_is_malformed(kms: Any) -> None:
    with pytest.raises(ClientError) as caught:
        kms.create_key(Policy="[" * 16_000 + "]" * 16_000)
    assert caught.value.response["Error"]["Code"] == "MalformedPolicyDocumentException"
