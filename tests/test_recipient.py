"""The Recipient parameter (Nitro Enclaves attestation) is refused clearly, by every operation.

AWS verifies the attestation document's signature against the AWS Nitro
Attestation PKI, and neither the API Reference nor the Developer Guide says
what it answers to a document it cannot verify. So kmsmock refuses the
parameter with :class:`kmsmock.UnimplementedOperationError`, which names it,
and the refused request changes nothing. The operations come from botocore's
model: every input shape with a Recipient member.
"""

from __future__ import annotations

from typing import Any

import botocore.session
import pytest

import kmsmock

RECIPIENT = {"KeyEncryptionAlgorithm": "RSAES_OAEP_SHA_256", "AttestationDocument": b"doc"}
_MODEL = botocore.session.get_session().get_service_model("kms")
WITH_RECIPIENT = sorted(
    name
    for name in _MODEL.operation_names
    if "Recipient" in _MODEL.operation_model(name).input_shape.members
)


def _request(kms: Any, operation: str) -> dict[str, Any]:
    """A request for ``operation`` that succeeds once Recipient is taken out."""
    if operation == "GenerateRandom":
        return {"NumberOfBytes": 16}
    if operation == "DeriveSharedSecret":
        key = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="KEY_AGREEMENT")
        peer = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="KEY_AGREEMENT")
        public_key = kms.get_public_key(KeyId=peer["KeyMetadata"]["KeyId"])["PublicKey"]
        return {
            "KeyId": key["KeyMetadata"]["KeyId"],
            "KeyAgreementAlgorithm": "ECDH",
            "PublicKey": public_key,
        }
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    if operation == "Decrypt":
        blob = kms.encrypt(KeyId=key_id, Plaintext=b"x")["CiphertextBlob"]
        return {"KeyId": key_id, "CiphertextBlob": blob}
    if operation == "GenerateDataKey":
        return {"KeyId": key_id, "KeySpec": "AES_256"}
    if operation == "GenerateDataKeyPair":
        return {"KeyId": key_id, "KeyPairSpec": "ECC_NIST_P256"}
    raise AssertionError(f"no request written for {operation}; add one")


def _last_usage(kms: Any, request: dict[str, Any]) -> Any:
    """GetKeyLastUsage of the request's key."""
    key_id = request.get("KeyId")
    if key_id is None:
        return None  # GenerateRandom uses no key
    return kms.get_key_last_usage(KeyId=key_id)["KeyLastUsage"]


def test_the_model_lists_the_operations_aws_documents() -> None:
    assert WITH_RECIPIENT == [
        "Decrypt",
        "DeriveSharedSecret",
        "GenerateDataKey",
        "GenerateDataKeyPair",
        "GenerateRandom",
    ]


@pytest.mark.parametrize("operation", WITH_RECIPIENT)
def test_recipient_is_refused_by_name_and_changes_nothing(
    kms: Any, kms_keystores: Any, operation: str
) -> None:
    request = _request(kms, operation)
    method = getattr(kms, botocore.xform_name(operation))
    usage_before = _last_usage(kms, request)
    calls_before = len(kms_keystores.calls)
    with pytest.raises(kmsmock.UnimplementedOperationError, match="Recipient") as refusal:
        method(**request, Recipient=RECIPIENT)
    assert operation in str(refusal.value)
    assert kms_keystores.calls[-1].operation == operation
    assert len(kms_keystores.calls) == calls_before + 1
    assert _last_usage(kms, request) == usage_before  # the refused use was not recorded
    answer = method(**request)  # the same request without Recipient is answered
    assert "CiphertextForRecipient" not in answer
