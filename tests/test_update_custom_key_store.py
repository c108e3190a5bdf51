"""UpdateCustomKeyStore: which properties may change in which state, and uniqueness."""

from __future__ import annotations

from typing import Any

import pytest
from kms_helpers import cluster_id, create_cloudhsm, create_xks, describe, error_code

VPC_SERVICE = "com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0"
NEW_CREDENTIAL = {
    "AccessKeyId": "ZYXWVUTSRQPONMLKJIHG",
    "RawSecretAccessKey": "AnotherSecretAccessKeyValue0123456789abcdefgh",
}


def connected(kms: Any, store_id: str) -> str:
    kms.connect_custom_key_store(CustomKeyStoreId=store_id)
    assert describe(kms, store_id)["ConnectionState"] == "CONNECTED"
    return store_id


def test_cloudhsm_store_may_be_renamed_while_connected(kms: Any) -> None:
    store_id = connected(kms, create_cloudhsm(kms))
    assert set(
        kms.update_custom_key_store(CustomKeyStoreId=store_id, NewCustomKeyStoreName="new")
    ) == {"ResponseMetadata"}
    assert describe(kms, store_id)["CustomKeyStoreName"] == "new"


@pytest.mark.parametrize(
    "change",
    [{"KeyStorePassword": "new-password"}, {"CloudHsmClusterId": cluster_id(7)}],
)
def test_other_cloudhsm_changes_need_disconnected(kms: Any, change: dict[str, str]) -> None:
    store_id = connected(kms, create_cloudhsm(kms))
    before = describe(kms, store_id)
    assert (
        error_code(
            kms.update_custom_key_store,
            CustomKeyStoreId=store_id,
            NewCustomKeyStoreName="n",
            **change,
        )
        == "CustomKeyStoreInvalidStateException"
    )
    assert describe(kms, store_id) == before
    kms.disconnect_custom_key_store(CustomKeyStoreId=store_id)
    kms.update_custom_key_store(CustomKeyStoreId=store_id, **change)
    if "CloudHsmClusterId" in change:
        assert describe(kms, store_id)["CloudHsmClusterId"] == change["CloudHsmClusterId"]


def test_password_change_is_used_by_an_identical_create(kms: Any) -> None:
    store_id = create_cloudhsm(kms)
    kms.update_custom_key_store(CustomKeyStoreId=store_id, KeyStorePassword="changed-password")
    assert create_cloudhsm(kms, KeyStorePassword="changed-password") == store_id


@pytest.mark.parametrize(
    "change",
    [
        {"NewCustomKeyStoreName": "renamed"},
        {"XksProxyAuthenticationCredential": NEW_CREDENTIAL},
        {"XksProxyUriPath": "/new/kms/xks/v1"},
    ],
)
def test_external_store_live_properties_change_while_connected(
    kms: Any, change: dict[str, Any]
) -> None:
    store_id = connected(kms, create_xks(kms))
    kms.update_custom_key_store(CustomKeyStoreId=store_id, **change)
    entry = describe(kms, store_id)
    assert entry["ConnectionState"] == "CONNECTED"
    if "XksProxyUriPath" in change:
        assert entry["XksProxyConfiguration"]["UriPath"] == "/new/kms/xks/v1"
    if "XksProxyAuthenticationCredential" in change:
        assert entry["XksProxyConfiguration"]["AccessKeyId"] == NEW_CREDENTIAL["AccessKeyId"]


@pytest.mark.parametrize(
    "change",
    [
        {"XksProxyUriEndpoint": "https://new.example.com"},
        {
            "XksProxyConnectivity": "VPC_ENDPOINT_SERVICE",
            "XksProxyUriEndpoint": "https://vpc.example.com",
            "XksProxyVpcEndpointServiceName": VPC_SERVICE,
        },
    ],
)
def test_other_external_changes_need_disconnected(kms: Any, change: dict[str, Any]) -> None:
    store_id = connected(kms, create_xks(kms))
    assert error_code(kms.update_custom_key_store, CustomKeyStoreId=store_id, **change) == (
        "CustomKeyStoreInvalidStateException"
    )
    kms.disconnect_custom_key_store(CustomKeyStoreId=store_id)
    kms.update_custom_key_store(CustomKeyStoreId=store_id, **change)
    proxy = describe(kms, store_id)["XksProxyConfiguration"]
    assert proxy["UriEndpoint"] == change["XksProxyUriEndpoint"]


def test_switching_to_vpc_needs_endpoint_and_service_name(kms: Any, kms_keystores: Any) -> None:
    store_id = create_xks(kms)
    assert (
        error_code(
            kms.update_custom_key_store,
            CustomKeyStoreId=store_id,
            XksProxyConnectivity="VPC_ENDPOINT_SERVICE",
            XksProxyVpcEndpointServiceName=VPC_SERVICE,
        )
        == "ValidationException"
    )
    assert (
        error_code(
            kms.update_custom_key_store,
            CustomKeyStoreId=store_id,
            XksProxyConnectivity="VPC_ENDPOINT_SERVICE",
            XksProxyUriEndpoint="https://vpc.example.com",
        )
        == "ValidationException"
    )
    kms.update_custom_key_store(
        CustomKeyStoreId=store_id,
        XksProxyConnectivity="VPC_ENDPOINT_SERVICE",
        XksProxyUriEndpoint="https://vpc.example.com",
        XksProxyVpcEndpointServiceName=VPC_SERVICE,
    )
    proxy = describe(kms, store_id)["XksProxyConfiguration"]
    assert proxy["Connectivity"] == "VPC_ENDPOINT_SERVICE"
    assert proxy["VpcEndpointServiceOwner"] == kms_keystores.account_id
    # And back to a public endpoint: the VPC fields go away.
    kms.update_custom_key_store(
        CustomKeyStoreId=store_id,
        XksProxyConnectivity="PUBLIC_ENDPOINT",
        XksProxyUriEndpoint="https://public.example.com",
    )
    proxy = describe(kms, store_id)["XksProxyConfiguration"]
    assert proxy["Connectivity"] == "PUBLIC_ENDPOINT"
    assert "VpcEndpointServiceName" not in proxy


def test_vpc_service_name_is_refused_for_a_public_store(kms: Any) -> None:
    store_id = create_xks(kms)
    assert (
        error_code(
            kms.update_custom_key_store,
            CustomKeyStoreId=store_id,
            XksProxyVpcEndpointServiceName=VPC_SERVICE,
        )
        == "ValidationException"
    )


@pytest.mark.parametrize(
    "change",
    [
        {"XksProxyUriPath": "/kms/xks/v2"},
        {"XksProxyAuthenticationCredential": NEW_CREDENTIAL},
        {"XksProxyUriEndpoint": "https://new.example.com"},
    ],
)
def test_cloudhsm_store_refuses_external_parameters(kms: Any, change: dict[str, Any]) -> None:
    store_id = create_cloudhsm(kms)
    assert error_code(kms.update_custom_key_store, CustomKeyStoreId=store_id, **change) == (
        "ValidationException"
    )


@pytest.mark.parametrize(
    "change", [{"KeyStorePassword": "password"}, {"CloudHsmClusterId": cluster_id(3)}]
)
def test_external_store_refuses_cloudhsm_parameters(kms: Any, change: dict[str, Any]) -> None:
    store_id = create_xks(kms)
    assert error_code(kms.update_custom_key_store, CustomKeyStoreId=store_id, **change) == (
        "ValidationException"
    )


def test_update_keeps_the_uniqueness_rules(kms: Any) -> None:
    one = create_cloudhsm(kms, name="one")
    two = create_cloudhsm(kms, name="two", CloudHsmClusterId=cluster_id(1))
    assert error_code(
        kms.update_custom_key_store, CustomKeyStoreId=two, NewCustomKeyStoreName="one"
    ) == ("CustomKeyStoreNameInUseException")
    assert (
        error_code(
            kms.update_custom_key_store,
            CustomKeyStoreId=two,
            CloudHsmClusterId=describe(kms, one)["CloudHsmClusterId"],
        )
        == "CloudHsmClusterNotRelatedException"
    )  # the model lists no InUse error for updates
    # Renaming a store to its own name is fine.
    kms.update_custom_key_store(CustomKeyStoreId=one, NewCustomKeyStoreName="one")
    x = create_xks(kms, name="x")
    y = create_xks(kms, name="y", XksProxyUriPath="/y/kms/xks/v1")
    assert error_code(
        kms.update_custom_key_store, CustomKeyStoreId=y, XksProxyUriPath="/kms/xks/v1"
    ) == ("XksProxyUriInUseException")
    assert describe(kms, x)["XksProxyConfiguration"]["UriPath"] == "/kms/xks/v1"
    assert describe(kms, y)["XksProxyConfiguration"]["UriPath"] == "/y/kms/xks/v1"


@pytest.mark.kms_keystores(connect_delay=None)
def test_even_a_rename_is_refused_while_connecting_or_failed(kms: Any, kms_keystores: Any) -> None:
    store_id = create_cloudhsm(kms)
    kms.connect_custom_key_store(CustomKeyStoreId=store_id)
    assert error_code(
        kms.update_custom_key_store, CustomKeyStoreId=store_id, NewCustomKeyStoreName="n"
    ) == ("CustomKeyStoreInvalidStateException")
    kms.disconnect_custom_key_store(CustomKeyStoreId=store_id)
    kms_keystores.fail_next_connect(store_id, "USER_LOGGED_IN")
    kms.connect_custom_key_store(CustomKeyStoreId=store_id)
    kms_keystores.settle()
    assert describe(kms, store_id)["ConnectionState"] == "FAILED"
    assert error_code(
        kms.update_custom_key_store, CustomKeyStoreId=store_id, NewCustomKeyStoreName="n"
    ) == ("CustomKeyStoreInvalidStateException")


def test_unknown_store_is_not_found(kms: Any) -> None:
    assert (
        error_code(
            kms.update_custom_key_store,
            CustomKeyStoreId="cks-00000000000000000",
            NewCustomKeyStoreName="n",
        )
        == "CustomKeyStoreNotFoundException"
    )
