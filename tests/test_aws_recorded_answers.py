"""kmsmock answers as AWS was recorded answering.

Each scenario follows one of LocalStack's AWS-validated snapshot tests
(``tests/aws/services/kms/test_kms.py`` and its ``.snapshot.json`` in
localstack/localstack), which record what real AWS answered; the expected
codes and messages below are those recordings, with kmsmock's own key ARNs
in place of the recordings' placeholders. See docs/compatibility.md,
"AWS's recorded answers".
"""

from __future__ import annotations

import os
import re
from typing import Any

import pytest
from kms_helpers import error_of
from material_helpers import external_key, import_material, parameters, wrap


def test_rotate_key_on_demand_answers_the_key_arn(kms: Any) -> None:
    """test_rotate_on_demand_returns_arn_for_key_id: KeyId is the key ARN."""
    key = kms.create_key()["KeyMetadata"]
    assert kms.rotate_key_on_demand(KeyId=key["KeyId"])["KeyId"] == key["Arn"]


def test_rotate_key_on_demand_of_an_asymmetric_key_has_an_empty_message(kms: Any) -> None:
    """test_rotate_key_on_demand_raises_error_given_non_symmetric_key."""
    key_id = kms.create_key(KeyUsage="ENCRYPT_DECRYPT", KeySpec="RSA_4096")["KeyMetadata"]["KeyId"]
    assert error_of(kms.rotate_key_on_demand, KeyId=key_id) == ("UnsupportedOperationException", "")


@pytest.mark.parametrize("key_spec", ["SYMMETRIC_DEFAULT", "RSA_4096"])
def test_rotate_key_on_demand_of_a_key_pending_import(kms: Any, key_spec: str) -> None:
    """test_rotate_key_on_demand_on_external_key_with_no_key_material: the state comes first."""
    key = kms.create_key(Origin="EXTERNAL", KeyUsage="ENCRYPT_DECRYPT", KeySpec=key_spec)
    arn = key["KeyMetadata"]["Arn"]
    assert error_of(kms.rotate_key_on_demand, KeyId=arn) == (
        "KMSInvalidStateException",
        f"{arn} is pending import.",
    )


def test_rotate_key_on_demand_without_pending_material(kms: Any) -> None:
    """test_rotate_key_on_demand_raises_for_no_pending_key_material."""
    key_id = external_key(kms, os.urandom(32))
    arn = kms.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]
    assert error_of(kms.rotate_key_on_demand, KeyId=key_id) == (
        "KMSInvalidStateException",
        f"No available key material pending rotation for the key: {arn}.",
    )


def test_rotate_key_on_demand_past_the_quota(kms: Any) -> None:
    """test_key_rotations_limits (AWS's quota was 10 then; the reference now says 25)."""
    key = kms.create_key()["KeyMetadata"]
    for _ in range(25):
        kms.rotate_key_on_demand(KeyId=key["KeyId"])
    assert error_of(kms.rotate_key_on_demand, KeyId=key["KeyId"]) == (
        "LimitExceededException",
        "The on-demand rotations limit has been reached for the given keyId. No more on-demand "
        f"rotations can be performed for this key: {key['Arn']}",
    )


def test_import_key_material_while_another_is_pending_rotation(kms: Any) -> None:
    """test_import_key_material_raises_if_there_is_already_key_material_pending."""
    key_id = external_key(kms, os.urandom(32))
    pending = import_material(kms, key_id, os.urandom(32), ImportType="NEW_KEY_MATERIAL")
    third = os.urandom(32)
    params = parameters(kms, key_id)
    code, message = error_of(
        kms.import_key_material,
        KeyId=key_id,
        ImportToken=params["ImportToken"],
        EncryptedKeyMaterial=wrap(params["PublicKey"], third, "RSAES_OAEP_SHA_256"),
        ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE",
        ImportType="NEW_KEY_MATERIAL",
    )
    assert code == "KMSInvalidStateException"
    assert re.fullmatch(
        rf"New key material \(id: [0-9a-f]{{64}}\) cannot be imported into KMS key {key_id}, "
        rf"because another key material \(id: {pending['KeyMaterialId']}\) is pending rotation\.",
        message,
    )


def test_replicate_key_without_tags_has_no_replica_tags(kms: Any) -> None:
    """test_replicate_key: the answer has ReplicaKeyMetadata and ReplicaPolicy, no ReplicaTags."""
    key_id = kms.create_key(MultiRegion=True)["KeyMetadata"]["KeyId"]
    answer = kms.replicate_key(KeyId=key_id, ReplicaRegion="ap-southeast-1")
    assert set(answer) - {"ResponseMetadata"} == {"ReplicaKeyMetadata", "ReplicaPolicy"}
