"""External key stores: KMS's answers derived from the arranged XKS proxy and its keys."""

from __future__ import annotations

from typing import Any

import pytest
from kms_helpers import (
    XKS_ACCESS_KEY,
    XKS_SECRET,
    create_xks,
    describe,
    error_code,
    error_of,
    xks_params,
)

ENDPOINT = "https://xks.example.com"
PATH = "/kms/xks/v1"
VPC_SERVICE = "com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0"
OTHER_VPC_SERVICE = "com.amazonaws.vpce.us-east-1.vpce-svc-0fedcba9876543210"
NEW_ACCESS_KEY = "ZYXWVUTSRQPONMLKJIHG"
NEW_SECRET = "AnotherSecretAccessKeyValue0123456789abcdefgh"
NEW_CREDENTIAL = {"AccessKeyId": NEW_ACCESS_KEY, "RawSecretAccessKey": NEW_SECRET}
HEALTHY: dict[str, Any] = {
    "uri_path": PATH,
    "reachable": True,
    "tls_valid": True,
    "well_formed": True,
    "responds_in_time": True,
    "access_denied": False,
    "key_manager_health": ["ACTIVE"],
}
VPC = {
    "XksProxyConnectivity": "VPC_ENDPOINT_SERVICE",
    "XksProxyVpcEndpointServiceName": VPC_SERVICE,
}


def arrange(ks: Any, **attributes: Any) -> Any:
    """Arrange the proxy the helpers' stores name, accepting their credential unless told."""
    attributes.setdefault("access_key_id", XKS_ACCESS_KEY)
    attributes.setdefault("secret_access_key", XKS_SECRET)
    return ks.xks_proxy(ENDPOINT, **attributes)


def arrange_vpc(ks: Any, **attributes: Any) -> Any:
    attributes.setdefault("vpc_endpoint_service_name", VPC_SERVICE)
    return arrange(ks, **attributes)


def all_stores(kms: Any) -> list[dict[str, Any]]:
    return list(kms.describe_custom_key_stores()["CustomKeyStores"])


def connection(kms: Any, store_id: str) -> tuple[str, str | None]:
    entry = describe(kms, store_id)
    return entry["ConnectionState"], entry.get("ConnectionErrorCode")


def connect(kms: Any, store_id: str) -> tuple[str, str | None]:
    kms.connect_custom_key_store(CustomKeyStoreId=store_id)
    return connection(kms, store_id)


def external_key(kms: Any, store_id: str, xks_key_id: str) -> str:
    metadata = kms.create_key(
        CustomKeyStoreId=store_id, Origin="EXTERNAL_KEY_STORE", XksKeyId=xks_key_id
    )["KeyMetadata"]
    assert metadata["XksKeyConfiguration"] == {"Id": xks_key_id}
    return str(metadata["KeyId"])


def connected_with_key(kms: Any, ks: Any, xks_key_id: str = "ext-key-1") -> tuple[Any, str, str]:
    """An arranged proxy holding one external key, a CONNECTED store, and its KMS key."""
    proxy = arrange(ks)
    proxy.add_key(xks_key_id)
    store_id = create_xks(kms)
    assert connect(kms, store_id) == ("CONNECTED", None)
    return proxy, store_id, external_key(kms, store_id, xks_key_id)


# -- CreateCustomKeyStore and UpdateCustomKeyStore, PUBLIC_ENDPOINT --------------------------

PUBLIC_REFUSALS = [
    ({"reachable": False}, "XksProxyUriUnreachableException"),
    ({"responds_in_time": False}, "XksProxyUriUnreachableException"),
    ({"tls_valid": False}, "XksProxyUriUnreachableException"),
    ({"key_manager_health": ["UNAVAILABLE"]}, "XksProxyUriUnreachableException"),
    (
        {"key_manager_health": ["UNAVAILABLE", "UNAVAILABLE"]},
        "XksProxyUriUnreachableException",
    ),
    (
        {"access_key_id": NEW_ACCESS_KEY, "secret_access_key": NEW_SECRET},
        "XksProxyIncorrectAuthenticationCredentialException",
    ),
    (
        {"secret_access_key": NEW_SECRET},
        "XksProxyIncorrectAuthenticationCredentialException",
    ),
    ({"well_formed": False}, "XksProxyInvalidResponseException"),
    ({"uri_path": "/other/kms/xks/v1"}, "XksProxyInvalidConfigurationException"),
]
PUBLIC_IDS = [
    "unreachable",
    "slow",
    "tls",
    "key-manager-unavailable",
    "all-key-managers-unavailable",
    "other-credential",
    "wrong-secret",
    "malformed",
    "uri-path",
]


@pytest.mark.parametrize(("attributes", "expected"), PUBLIC_REFUSALS, ids=PUBLIC_IDS)
def test_create_refuses_a_public_proxy_that_fails_the_health_check(
    kms: Any, kms_keystores: Any, attributes: dict[str, Any], expected: str
) -> None:
    arrange(kms_keystores, **attributes)
    assert error_code(kms.create_custom_key_store, **xks_params()) == expected
    assert all_stores(kms) == []


@pytest.mark.parametrize(("attributes", "expected"), PUBLIC_REFUSALS, ids=PUBLIC_IDS)
def test_update_refuses_a_public_proxy_that_fails_the_health_check(
    kms: Any, kms_keystores: Any, attributes: dict[str, Any], expected: str
) -> None:
    other = "https://xks2.example.com"
    store_id = create_xks(kms, XksProxyUriEndpoint=other)
    arrange(kms_keystores, **attributes)
    before = describe(kms, store_id)
    assert (
        error_code(
            kms.update_custom_key_store, CustomKeyStoreId=store_id, XksProxyUriEndpoint=ENDPOINT
        )
        == expected
    )
    assert describe(kms, store_id) == before


def test_the_timeout_message_says_the_proxy_did_not_respond_in_time(
    kms: Any, kms_keystores: Any
) -> None:
    arrange(kms_keystores, responds_in_time=False)
    code, message = error_of(kms.create_custom_key_store, **xks_params())
    assert code == "XksProxyUriUnreachableException"
    assert "did not respond in time" in message


def test_a_key_manager_that_is_partly_available_passes(kms: Any, kms_keystores: Any) -> None:
    arrange(kms_keystores, key_manager_health=["UNAVAILABLE", "DEGRADED"])
    store_id = create_xks(kms)
    assert connect(kms, store_id) == ("CONNECTED", None)


def test_access_denied_does_not_fail_create_but_fails_the_connection(
    kms: Any, kms_keystores: Any
) -> None:
    arrange(kms_keystores, access_denied=True)
    store_id = create_xks(kms)
    assert connect(kms, store_id) == ("FAILED", "XKS_PROXY_ACCESS_DENIED")


@pytest.mark.kms_keystores(strict=True)
def test_strict_mode_without_a_proxy_is_unreachable(kms: Any, kms_keystores: Any) -> None:
    assert error_code(kms.create_custom_key_store, **xks_params()) == (
        "XksProxyUriUnreachableException"
    )
    arrange(kms_keystores)
    store_id = create_xks(kms)
    assert connect(kms, store_id) == ("CONNECTED", None)


@pytest.mark.kms_keystores(strict=True)
def test_a_proxy_in_another_account_is_not_visible(
    kms: Any, kms_keystores: Any, make_client: Any
) -> None:
    arrange(kms_keystores, account_id="111122223333")
    assert error_code(kms.create_custom_key_store, **xks_params()) == (
        "XksProxyUriUnreachableException"
    )
    owner = make_client(account="111122223333")
    store_id = create_xks(owner)
    assert connect(owner, store_id) == ("CONNECTED", None)


def test_an_unarranged_proxy_is_provisioned_healthy_and_holds_any_key(kms: Any) -> None:
    store_id = create_xks(kms)
    assert connect(kms, store_id) == ("CONNECTED", None)
    key_id = external_key(kms, store_id, "whatever-key")
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"hello")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"hello"


def test_update_to_a_path_the_proxy_serves(kms: Any, kms_keystores: Any) -> None:
    proxy = arrange(kms_keystores)
    store_id = create_xks(kms)
    assert (
        error_code(
            kms.update_custom_key_store, CustomKeyStoreId=store_id, XksProxyUriPath="/kms/xks/v2"
        )
        == "XksProxyInvalidConfigurationException"
    )
    assert describe(kms, store_id)["XksProxyConfiguration"]["UriPath"] == PATH
    proxy.uri_path = "/kms/xks/v2"
    kms.update_custom_key_store(CustomKeyStoreId=store_id, XksProxyUriPath="/kms/xks/v2")
    assert describe(kms, store_id)["XksProxyConfiguration"]["UriPath"] == "/kms/xks/v2"


# -- VPC_ENDPOINT_SERVICE connectivity ------------------------------------------------------


@pytest.mark.parametrize(
    ("attributes", "expected"),
    [
        ({"vpc_endpoint_service_exists": False}, "XksProxyVpcEndpointServiceNotFoundException"),
        (
            {"vpc_endpoint_service_name": OTHER_VPC_SERVICE},
            "XksProxyVpcEndpointServiceNotFoundException",
        ),
        (
            {"vpc_endpoint_service_valid": False},
            "XksProxyVpcEndpointServiceInvalidConfigurationException",
        ),
    ],
    ids=["missing", "other-name", "invalid"],
)
def test_create_checks_the_vpc_endpoint_service(
    kms: Any, kms_keystores: Any, attributes: dict[str, Any], expected: str
) -> None:
    arrange_vpc(kms_keystores, **attributes)
    assert error_code(kms.create_custom_key_store, **xks_params(**VPC)) == expected
    assert all_stores(kms) == []


@pytest.mark.kms_keystores(strict=True)
def test_strict_mode_without_a_proxy_has_no_vpc_endpoint_service(kms: Any) -> None:
    assert error_code(kms.create_custom_key_store, **xks_params(**VPC)) == (
        "XksProxyVpcEndpointServiceNotFoundException"
    )


def test_update_checks_the_vpc_endpoint_service(kms: Any, kms_keystores: Any) -> None:
    proxy = arrange_vpc(kms_keystores)
    store_id = create_xks(kms, **VPC)
    assert (
        error_code(
            kms.update_custom_key_store,
            CustomKeyStoreId=store_id,
            XksProxyVpcEndpointServiceName=OTHER_VPC_SERVICE,
        )
        == "XksProxyVpcEndpointServiceNotFoundException"
    )
    proxy.vpc_endpoint_service_name = OTHER_VPC_SERVICE
    proxy.vpc_endpoint_service_valid = False
    assert (
        error_code(
            kms.update_custom_key_store,
            CustomKeyStoreId=store_id,
            XksProxyVpcEndpointServiceName=OTHER_VPC_SERVICE,
        )
        == "XksProxyVpcEndpointServiceInvalidConfigurationException"
    )
    assert describe(kms, store_id)["XksProxyConfiguration"]["VpcEndpointServiceName"] == (
        VPC_SERVICE
    )
    proxy.vpc_endpoint_service_valid = True
    kms.update_custom_key_store(
        CustomKeyStoreId=store_id, XksProxyVpcEndpointServiceName=OTHER_VPC_SERVICE
    )
    assert describe(kms, store_id)["XksProxyConfiguration"]["VpcEndpointServiceName"] == (
        OTHER_VPC_SERVICE
    )


@pytest.mark.parametrize(
    ("attributes", "expected"),
    [
        ({"reachable": False}, "XKS_PROXY_NOT_REACHABLE"),
        ({"responds_in_time": False}, "XKS_PROXY_TIMED_OUT"),
        ({"well_formed": False}, "XKS_PROXY_INVALID_RESPONSE"),
        ({"secret_access_key": NEW_SECRET}, "INVALID_CREDENTIALS"),
    ],
    ids=["unreachable", "slow", "malformed", "credential"],
)
def test_vpc_create_does_not_contact_the_proxy_but_connect_does(
    kms: Any, kms_keystores: Any, attributes: dict[str, Any], expected: str
) -> None:
    arrange_vpc(kms_keystores, **attributes)
    store_id = create_xks(kms, **VPC)
    assert describe(kms, store_id)["ConnectionState"] == "DISCONNECTED"
    assert connect(kms, store_id) == ("FAILED", expected)
    arrange_vpc(kms_keystores, **HEALTHY)
    kms.disconnect_custom_key_store(CustomKeyStoreId=store_id)
    assert connect(kms, store_id) == ("CONNECTED", None)


# -- ConnectCustomKeyStore: attempts that end FAILED ---------------------------------------

PUBLIC_CONNECT_FAILURES = [
    ({"access_denied": True}, "XKS_PROXY_ACCESS_DENIED"),
    ({"reachable": False}, "XKS_PROXY_NOT_REACHABLE"),
    ({"key_manager_health": ["UNAVAILABLE", "UNAVAILABLE"]}, "XKS_PROXY_NOT_REACHABLE"),
    ({"well_formed": False}, "XKS_PROXY_INVALID_RESPONSE"),
    ({"uri_path": "/other/kms/xks/v1"}, "XKS_PROXY_INVALID_CONFIGURATION"),
    ({"responds_in_time": False}, "XKS_PROXY_TIMED_OUT"),
    ({"tls_valid": False}, "XKS_PROXY_INVALID_TLS_CONFIGURATION"),
    (
        {"access_key_id": NEW_ACCESS_KEY, "secret_access_key": NEW_SECRET},
        "INVALID_CREDENTIALS",
    ),
]


@pytest.mark.parametrize(
    ("broken", "expected"),
    PUBLIC_CONNECT_FAILURES,
    ids=[f"{code}-{next(iter(attrs))}" for attrs, code in PUBLIC_CONNECT_FAILURES],
)
def test_a_proxy_broken_after_create_fails_the_connection(
    kms: Any, kms_keystores: Any, broken: dict[str, Any], expected: str
) -> None:
    arrange(kms_keystores)
    store_id = create_xks(kms)
    arrange(kms_keystores, **broken)
    assert connect(kms, store_id) == ("FAILED", expected)
    assert error_code(kms.connect_custom_key_store, CustomKeyStoreId=store_id) == (
        "CustomKeyStoreInvalidStateException"
    )
    kms.disconnect_custom_key_store(CustomKeyStoreId=store_id)
    assert connection(kms, store_id) == ("DISCONNECTED", None)
    assert connect(kms, store_id) == ("FAILED", expected)
    # Put the proxy back as it was: disconnect, reconnect, CONNECTED.
    arrange(kms_keystores, **HEALTHY)
    kms.disconnect_custom_key_store(CustomKeyStoreId=store_id)
    assert connect(kms, store_id) == ("CONNECTED", None)


@pytest.mark.parametrize(
    ("broken", "expected"),
    [
        ({"vpc_endpoint_service_exists": False}, "XKS_VPC_ENDPOINT_SERVICE_NOT_FOUND"),
        ({"vpc_endpoint_service_name": OTHER_VPC_SERVICE}, "XKS_VPC_ENDPOINT_SERVICE_NOT_FOUND"),
        (
            {"vpc_endpoint_service_valid": False},
            "XKS_VPC_ENDPOINT_SERVICE_INVALID_CONFIGURATION",
        ),
        ({"reachable": False}, "XKS_PROXY_NOT_REACHABLE"),
        ({"tls_valid": False}, "XKS_PROXY_INVALID_TLS_CONFIGURATION"),
    ],
    ids=["service-gone", "service-renamed", "service-invalid", "unreachable", "tls"],
)
def test_a_vpc_store_broken_after_create_fails_the_connection(
    kms: Any, kms_keystores: Any, broken: dict[str, Any], expected: str
) -> None:
    proxy = arrange_vpc(kms_keystores)
    store_id = create_xks(kms, **VPC)
    for name, value in broken.items():
        setattr(proxy, name, value)
    assert connect(kms, store_id) == ("FAILED", expected)


def test_a_vpc_problem_is_reported_before_a_proxy_problem(kms: Any, kms_keystores: Any) -> None:
    proxy = arrange_vpc(kms_keystores)
    store_id = create_xks(kms, **VPC)
    proxy.vpc_endpoint_service_valid = False
    proxy.reachable = False
    assert connect(kms, store_id) == ("FAILED", "XKS_VPC_ENDPOINT_SERVICE_INVALID_CONFIGURATION")
    proxy.vpc_endpoint_service_valid = True
    kms.disconnect_custom_key_store(CustomKeyStoreId=store_id)
    assert connect(kms, store_id) == ("FAILED", "XKS_PROXY_NOT_REACHABLE")
    proxy.reachable = True
    kms.disconnect_custom_key_store(CustomKeyStoreId=store_id)
    assert connect(kms, store_id) == ("CONNECTED", None)


@pytest.mark.kms_keystores(connect_delay=300)
def test_a_proxy_that_breaks_while_connecting_fails_the_attempt(
    kms: Any, kms_keystores: Any
) -> None:
    proxy = arrange(kms_keystores)
    store_id = create_xks(kms)
    kms.connect_custom_key_store(CustomKeyStoreId=store_id)
    assert connection(kms, store_id) == ("CONNECTING", None)
    proxy.responds_in_time = False
    kms_keystores.advance(300)
    assert connection(kms, store_id) == ("FAILED", "XKS_PROXY_TIMED_OUT")


# -- credential rotation ----------------------------------------------------------------


def test_rotating_the_credential_while_connected(kms: Any, kms_keystores: Any) -> None:
    proxy, store_id, key_id = connected_with_key(kms, kms_keystores)
    # The proxy does not know the new credential yet: KMS refuses it.
    assert (
        error_code(
            kms.update_custom_key_store,
            CustomKeyStoreId=store_id,
            XksProxyAuthenticationCredential=NEW_CREDENTIAL,
        )
        == "XksProxyIncorrectAuthenticationCredentialException"
    )
    assert describe(kms, store_id)["XksProxyConfiguration"]["AccessKeyId"] == XKS_ACCESS_KEY
    proxy.accept_credential(NEW_ACCESS_KEY, NEW_SECRET)
    kms.update_custom_key_store(
        CustomKeyStoreId=store_id, XksProxyAuthenticationCredential=NEW_CREDENTIAL
    )
    entry = describe(kms, store_id)
    assert entry["ConnectionState"] == "CONNECTED"
    assert entry["XksProxyConfiguration"]["AccessKeyId"] == NEW_ACCESS_KEY
    proxy.revoke_credential(XKS_ACCESS_KEY)
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"rotated")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"rotated"
    kms.disconnect_custom_key_store(CustomKeyStoreId=store_id)
    assert connect(kms, store_id) == ("CONNECTED", None)


def test_revoking_the_credential_in_use_breaks_the_store(kms: Any, kms_keystores: Any) -> None:
    proxy, store_id, key_id = connected_with_key(kms, kms_keystores)
    proxy.accept_credential(NEW_ACCESS_KEY, NEW_SECRET)
    proxy.revoke_credential(XKS_ACCESS_KEY)
    code, message = error_of(kms.encrypt, KeyId=key_id, Plaintext=b"x")
    assert code == "KMSInvalidStateException"
    assert "could not authenticate" in message
    kms.disconnect_custom_key_store(CustomKeyStoreId=store_id)
    assert connect(kms, store_id) == ("FAILED", "INVALID_CREDENTIALS")
    kms.disconnect_custom_key_store(CustomKeyStoreId=store_id)
    kms.update_custom_key_store(
        CustomKeyStoreId=store_id, XksProxyAuthenticationCredential=NEW_CREDENTIAL
    )
    assert connect(kms, store_id) == ("CONNECTED", None)


# -- CreateKey in a CONNECTED external key store ---------------------------------------------


def test_create_key_needs_the_external_key(kms: Any, kms_keystores: Any) -> None:
    proxy = arrange(kms_keystores)
    store_id = create_xks(kms)
    assert connect(kms, store_id) == ("CONNECTED", None)
    assert (
        error_code(
            kms.create_key,
            CustomKeyStoreId=store_id,
            Origin="EXTERNAL_KEY_STORE",
            XksKeyId="absent",
        )
        == "XksKeyNotFoundException"
    )
    proxy.add_key("absent")
    external_key(kms, store_id, "absent")


@pytest.mark.kms_keystores(strict=True)
def test_create_key_in_strict_mode_needs_an_arranged_key(kms: Any, kms_keystores: Any) -> None:
    proxy = arrange(kms_keystores)
    store_id = create_xks(kms)
    assert connect(kms, store_id) == ("CONNECTED", None)
    assert (
        error_code(
            kms.create_key, CustomKeyStoreId=store_id, Origin="EXTERNAL_KEY_STORE", XksKeyId="k1"
        )
        == "XksKeyNotFoundException"
    )
    proxy.add_key("k1")
    external_key(kms, store_id, "k1")


@pytest.mark.parametrize(
    ("key", "fragment"),
    [
        ({"spec": "AES_128"}, "AES_256"),
        ({"spec": "RSA_2048"}, "AES_256"),
        ({"enabled": False}, "ENABLED"),
        ({"usages": ["ENCRYPT"]}, "DECRYPT"),
        ({"usages": ["DECRYPT"]}, "ENCRYPT"),
    ],
    ids=["aes-128", "rsa", "disabled", "encrypt-only", "decrypt-only"],
)
def test_create_key_refuses_an_unsuitable_external_key(
    kms: Any, kms_keystores: Any, key: dict[str, Any], fragment: str
) -> None:
    proxy = arrange(kms_keystores)
    proxy.add_key("bad-key", **key)
    store_id = create_xks(kms)
    assert connect(kms, store_id) == ("CONNECTED", None)
    code, message = error_of(
        kms.create_key, CustomKeyStoreId=store_id, Origin="EXTERNAL_KEY_STORE", XksKeyId="bad-key"
    )
    assert code == "XksKeyInvalidConfigurationException"
    assert fragment in message
    assert kms.list_keys()["Keys"] == []


def test_create_key_refuses_an_external_key_already_in_use(kms: Any, kms_keystores: Any) -> None:
    _, store_id, key_id = connected_with_key(kms, kms_keystores, "shared")
    code, message = error_of(
        kms.create_key, CustomKeyStoreId=store_id, Origin="EXTERNAL_KEY_STORE", XksKeyId="shared"
    )
    assert code == "XksKeyAlreadyInUseException"
    assert key_id in message
    assert [k["KeyId"] for k in kms.list_keys()["Keys"]] == [key_id]


@pytest.mark.parametrize(
    "broken",
    [{"reachable": False}, {"responds_in_time": False}, {"tls_valid": False}],
    ids=["unreachable", "slow", "tls"],
)
def test_create_key_when_the_proxy_fails(
    kms: Any, kms_keystores: Any, broken: dict[str, Any]
) -> None:
    proxy, store_id, _ = connected_with_key(kms, kms_keystores)
    proxy.add_key("second")
    arrange(kms_keystores, **broken)
    assert (
        error_code(
            kms.create_key,
            CustomKeyStoreId=store_id,
            Origin="EXTERNAL_KEY_STORE",
            XksKeyId="second",
        )
        == "CustomKeyStoreInvalidStateException"
    )
    assert len(kms.list_keys()["Keys"]) == 1


# -- cryptography through a proxy that breaks while CONNECTED ---------------------------------


@pytest.mark.parametrize(
    ("broken", "fragment"),
    [
        ({"reachable": False}, "cannot communicate with the external key store proxy"),
        ({"responds_in_time": False}, "did not respond in time"),
        ({"tls_valid": False}, "TLS"),
        ({"access_denied": True}, "denied access"),
        ({"well_formed": False}, "cannot interpret the response"),
        ({"uri_path": "/moved/kms/xks/v1"}, "invalid URI path"),
        ({"key_manager_health": ["UNAVAILABLE"]}, "communicate with the external key manager"),
    ],
    ids=["unreachable", "slow", "tls", "denied", "malformed", "path", "key-manager"],
)
def test_crypto_answers_invalid_state_with_the_faults_message(
    kms: Any, kms_keystores: Any, broken: dict[str, Any], fragment: str
) -> None:
    _, store_id, key_id = connected_with_key(kms, kms_keystores)
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"payload")["CiphertextBlob"]
    arrange(kms_keystores, **broken)
    for call, params in (
        (kms.encrypt, {"KeyId": key_id, "Plaintext": b"x"}),
        (kms.decrypt, {"CiphertextBlob": blob}),
        (kms.generate_data_key, {"KeyId": key_id, "KeySpec": "AES_256"}),
    ):
        code, message = error_of(call, **params)
        assert code == "KMSInvalidStateException"
        assert fragment in message
    assert connection(kms, store_id) == ("CONNECTED", None)


def test_each_fault_has_its_own_message(kms: Any, kms_keystores: Any) -> None:
    proxy, _, key_id = connected_with_key(kms, kms_keystores)
    proxy.responds_in_time = False
    timed_out = error_of(kms.encrypt, KeyId=key_id, Plaintext=b"x")
    proxy.responds_in_time = True
    proxy.reachable = False
    unreachable = error_of(kms.encrypt, KeyId=key_id, Plaintext=b"x")
    assert timed_out[0] == unreachable[0] == "KMSInvalidStateException"
    assert "did not respond in time" in timed_out[1]
    assert "did not respond in time" not in unreachable[1]
    proxy.reachable = True
    assert kms.encrypt(KeyId=key_id, Plaintext=b"x")["KeyId"].endswith(key_id)


def test_a_removed_external_key_can_no_longer_decrypt(kms: Any, kms_keystores: Any) -> None:
    proxy, _, key_id = connected_with_key(kms, kms_keystores)
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"payload")["CiphertextBlob"]
    proxy.remove_key("ext-key-1")
    code, message = error_of(kms.decrypt, CiphertextBlob=blob)
    assert code == "KMSInvalidStateException"
    assert "not found" in message
    assert error_code(kms.encrypt, KeyId=key_id, Plaintext=b"x") == "KMSInvalidStateException"


def test_a_disabled_external_key_refuses_crypto(kms: Any, kms_keystores: Any) -> None:
    proxy, _, key_id = connected_with_key(kms, kms_keystores)
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"payload")["CiphertextBlob"]
    proxy.keys["ext-key-1"].enabled = False
    code, message = error_of(kms.decrypt, CiphertextBlob=blob)
    assert code == "KMSInvalidStateException"
    assert "not enabled" in message
    proxy.keys["ext-key-1"].enabled = True
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"payload"


def test_double_encryption_needs_the_external_keys_material(kms: Any, kms_keystores: Any) -> None:
    proxy, _, key_id = connected_with_key(kms, kms_keystores)
    old_blob = kms.encrypt(KeyId=key_id, Plaintext=b"payload")["CiphertextBlob"]
    proxy.remove_key("ext-key-1")
    proxy.add_key("ext-key-1")
    assert error_code(kms.decrypt, CiphertextBlob=old_blob) == "KMSInvalidStateException"
    new_blob = kms.encrypt(KeyId=key_id, Plaintext=b"payload")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=new_blob)["Plaintext"] == b"payload"


def test_generate_random_is_not_supported_in_an_external_key_store(kms: Any) -> None:
    store_id = create_xks(kms)
    assert connect(kms, store_id) == ("CONNECTED", None)
    assert error_code(kms.generate_random, NumberOfBytes=8, CustomKeyStoreId=store_id) == (
        "UnsupportedOperationException"
    )


def test_the_path_may_follow_the_proxy_while_connected(kms: Any, kms_keystores: Any) -> None:
    proxy, store_id, key_id = connected_with_key(kms, kms_keystores)
    proxy.uri_path = "/kms/xks/v2"
    code, message = error_of(kms.encrypt, KeyId=key_id, Plaintext=b"x")
    assert (code, "invalid URI path" in message) == ("KMSInvalidStateException", True)
    kms.update_custom_key_store(CustomKeyStoreId=store_id, XksProxyUriPath="/kms/xks/v2")
    entry = describe(kms, store_id)
    assert (entry["ConnectionState"], entry["XksProxyConfiguration"]["UriPath"]) == (
        "CONNECTED",
        "/kms/xks/v2",
    )
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"moved")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"moved"
