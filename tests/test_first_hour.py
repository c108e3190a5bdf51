"""What a new user hit in the first hour: refused calls in the log, generated values KMS accepts."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError
from kms_helpers import create_xks, state

import kmsmock
from kmsmock.calls import REFUSED


def test_a_refused_call_shows_in_the_call_log(kms: Any, kms_keystores: Any) -> None:
    with pytest.raises(kmsmock.UnimplementedOperationError, match="'Sign'"):
        kms.sign(KeyId="alias/x", Message=b"secret message", SigningAlgorithm="RSASSA_PSS_SHA_256")
    (call,) = kms_keystores.calls
    assert call.operation == "Sign"
    assert call.error_code == REFUSED
    assert not call.ok
    assert "Sign" in (call.error_message or "")
    assert call.params["Message"] == "<redacted>"  # Sign's message is sensitive in the model


def test_a_refused_feature_shows_in_the_call_log(kms: Any, kms_keystores: Any) -> None:
    with pytest.raises(kmsmock.UnimplementedOperationError, match="CreateKey"):
        kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")
    (call,) = kms_keystores.calls
    assert (call.operation, call.error_code) == ("CreateKey", REFUSED)
    assert call.params["KeySpec"] == "RSA_2048"


def test_generated_proxy_credentials_are_accepted_by_kms(kms: Any, kms_keystores: Any) -> None:
    # Every credential kmsmock generates must pass KMS's own validation.
    for number in range(60):
        proxy = kms_keystores.xks_proxy(f"https://proxy{number}.example.com")
        credential = {
            "AccessKeyId": proxy.access_key_id,
            "RawSecretAccessKey": proxy.secret_access_key.reveal(),
        }
        try:
            store_id = create_xks(
                kms,
                name=f"store-{number}",
                XksProxyUriEndpoint=proxy.uri_endpoint,
                XksProxyAuthenticationCredential=credential,
            )
        except ClientError as error:  # pragma: no cover - the failure this test exists for
            pytest.fail(f"KMS refused generated credential {number}: {error}")
        kms.connect_custom_key_store(CustomKeyStoreId=store_id)
        assert state(kms, store_id) == "CONNECTED"  # the proxy accepts what KMS sends
        kms.disconnect_custom_key_store(CustomKeyStoreId=store_id)
        kms.delete_custom_key_store(CustomKeyStoreId=store_id)


def test_generated_cluster_ids_and_trust_anchors_are_accepted_by_kms(
    kms: Any, kms_keystores: Any
) -> None:
    for number in range(30):
        cluster = kms_keystores.cloudhsm_cluster()
        store_id = kms.create_custom_key_store(
            CustomKeyStoreName=f"hsm-{number}",
            CloudHsmClusterId=cluster.cluster_id,
            TrustAnchorCertificate=cluster.trust_anchor_certificate,
            KeyStorePassword=cluster.kmsuser_password.reveal(),
        )["CustomKeyStoreId"]
        kms.connect_custom_key_store(CustomKeyStoreId=store_id)
        assert state(kms, store_id) == "CONNECTED"
        kms.disconnect_custom_key_store(CustomKeyStoreId=store_id)
        kms.delete_custom_key_store(CustomKeyStoreId=store_id)
