"""CreateCustomKeyStore: parameters per type, uniqueness, quota and idempotency."""

from __future__ import annotations

import re
from typing import Any

import pytest
from kms_helpers import (
    CLUSTER_ID,
    PASSWORD,
    TRUST_ANCHOR,
    XKS_SECRET,
    cluster_id,
    create_cloudhsm,
    create_xks,
    describe,
    error_of,
    hsm_params,
    xks_params,
)

VPC_SERVICE = "com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0"


def all_stores(kms: Any) -> list[dict[str, Any]]:
    return list(kms.describe_custom_key_stores()["CustomKeyStores"])


def test_cloudhsm_store_without_type_is_created_disconnected(kms: Any) -> None:
    store_id = create_cloudhsm(kms)
    assert re.fullmatch(r"cks-[0-9a-f]{17}", store_id)
    entry = describe(kms, store_id)
    assert entry["ConnectionState"] == "DISCONNECTED"
    assert entry["CustomKeyStoreType"] == "AWS_CLOUDHSM"
    assert entry["CloudHsmClusterId"] == CLUSTER_ID
    assert entry["TrustAnchorCertificate"] == TRUST_ANCHOR
    assert "XksProxyConfiguration" not in entry
    assert "ConnectionErrorCode" not in entry


def test_cloudhsm_store_with_explicit_type(kms: Any) -> None:
    store_id = create_cloudhsm(kms, CustomKeyStoreType="AWS_CLOUDHSM")
    assert describe(kms, store_id)["CustomKeyStoreType"] == "AWS_CLOUDHSM"


def test_creation_date_reads_the_mock_clock(kms: Any, kms_keystores: Any) -> None:
    kms_keystores.advance(86400 * 365)
    store_id = create_cloudhsm(kms)
    created = describe(kms, store_id)["CreationDate"].timestamp()
    assert abs(created - kms_keystores.now()) < 5
    assert created > kms_keystores.now() - 86400


def test_external_store_with_public_endpoint(kms: Any) -> None:
    store_id = create_xks(kms)
    entry = describe(kms, store_id)
    assert entry["CustomKeyStoreType"] == "EXTERNAL_KEY_STORE"
    assert entry["XksProxyConfiguration"] == {
        "Connectivity": "PUBLIC_ENDPOINT",
        "AccessKeyId": "ABCDEFGHIJKLMNOPQRST",
        "UriEndpoint": "https://xks.example.com",
        "UriPath": "/kms/xks/v1",
    }
    assert "CloudHsmClusterId" not in entry
    assert "TrustAnchorCertificate" not in entry


def test_external_store_with_vpc_endpoint_service(kms: Any, kms_keystores: Any) -> None:
    store_id = create_xks(
        kms,
        XksProxyConnectivity="VPC_ENDPOINT_SERVICE",
        XksProxyVpcEndpointServiceName=VPC_SERVICE,
    )
    proxy = describe(kms, store_id)["XksProxyConfiguration"]
    assert proxy["VpcEndpointServiceName"] == VPC_SERVICE
    assert proxy["VpcEndpointServiceOwner"] == kms_keystores.account_id


@pytest.mark.parametrize(
    "missing", ["CloudHsmClusterId", "TrustAnchorCertificate", "KeyStorePassword"]
)
def test_cloudhsm_store_needs_its_parameters(kms: Any, missing: str) -> None:
    params = {
        "CustomKeyStoreName": "s",
        "CloudHsmClusterId": CLUSTER_ID,
        "TrustAnchorCertificate": TRUST_ANCHOR,
        "KeyStorePassword": PASSWORD,
    }
    del params[missing]
    code, message = error_of(kms.create_custom_key_store, **params)
    assert code == "ValidationException"
    assert missing in message
    assert all_stores(kms) == []


@pytest.mark.parametrize(
    "missing",
    [
        "XksProxyUriEndpoint",
        "XksProxyUriPath",
        "XksProxyAuthenticationCredential",
        "XksProxyConnectivity",
    ],
)
def test_external_store_needs_its_parameters(kms: Any, missing: str) -> None:
    params = xks_params()
    del params[missing]
    code, message = error_of(kms.create_custom_key_store, **params)
    assert (code, missing in message) == ("ValidationException", True)
    assert all_stores(kms) == []


def test_vpc_connectivity_needs_the_endpoint_service_name(kms: Any) -> None:
    code, message = error_of(
        kms.create_custom_key_store, **xks_params(XksProxyConnectivity="VPC_ENDPOINT_SERVICE")
    )
    assert code == "ValidationException"
    assert "XksProxyVpcEndpointServiceName" in message


@pytest.mark.parametrize(
    "extra",
    [
        {"XksProxyUriEndpoint": "https://xks.example.com"},
        {"XksProxyVpcEndpointServiceName": VPC_SERVICE},
        {"XksProxyConnectivity": "PUBLIC_ENDPOINT"},
    ],
)
def test_cloudhsm_store_refuses_external_parameters(kms: Any, extra: dict[str, Any]) -> None:
    code, message = error_of(
        kms.create_custom_key_store,
        **hsm_params("s"),
        **extra,
    )
    assert code == "ValidationException"
    assert next(iter(extra)) in message


@pytest.mark.parametrize(
    "extra",
    [
        {"CloudHsmClusterId": CLUSTER_ID},
        {"KeyStorePassword": PASSWORD},
        {"TrustAnchorCertificate": TRUST_ANCHOR},
        {"XksProxyVpcEndpointServiceName": VPC_SERVICE},
        {"XksProxyVpcEndpointServiceOwner": "123456789012"},
    ],
)
def test_public_external_store_refuses_foreign_parameters(kms: Any, extra: dict[str, Any]) -> None:
    code, message = error_of(kms.create_custom_key_store, **xks_params(**extra))
    assert code == "ValidationException"
    assert next(iter(extra)) in message
    assert all_stores(kms) == []


def test_names_are_unique_per_account_and_region(kms: Any, make_client: Any) -> None:
    create_cloudhsm(kms, name="dup")
    code, _ = error_of(kms.create_custom_key_store, **xks_params(name="dup"))
    assert code == "CustomKeyStoreNameInUseException"
    create_cloudhsm(make_client(region="eu-west-1"), name="dup")
    assert len(all_stores(kms)) == 1


def test_a_cluster_backs_one_store(kms: Any) -> None:
    create_cloudhsm(kms, name="one")
    code, message = error_of(
        kms.create_custom_key_store,
        **hsm_params("two"),
    )
    assert code == "CloudHsmClusterInUseException"
    assert CLUSTER_ID in message


def test_external_endpoint_plus_path_is_unique(kms: Any) -> None:
    create_xks(kms, name="one")
    code, _ = error_of(kms.create_custom_key_store, **xks_params(name="two"))
    assert code == "XksProxyUriInUseException"
    # The same public endpoint with another path is fine.
    create_xks(kms, name="three", XksProxyUriPath="/other/kms/xks/v1")
    assert len(all_stores(kms)) == 2


def test_vpc_store_endpoint_is_its_own(kms: Any) -> None:
    create_xks(
        kms,
        name="vpc",
        XksProxyConnectivity="VPC_ENDPOINT_SERVICE",
        XksProxyVpcEndpointServiceName=VPC_SERVICE,
    )
    code, _ = error_of(
        kms.create_custom_key_store, **xks_params(name="public", XksProxyUriPath="/p/kms/xks/v1")
    )
    assert code == "XksProxyUriEndpointInUseException"


def test_public_endpoint_cannot_become_a_vpc_stores_endpoint(kms: Any) -> None:
    create_xks(kms, name="public")
    code, _ = error_of(
        kms.create_custom_key_store,
        **xks_params(
            name="vpc",
            XksProxyUriPath="/p/kms/xks/v1",
            XksProxyConnectivity="VPC_ENDPOINT_SERVICE",
            XksProxyVpcEndpointServiceName=VPC_SERVICE,
        ),
    )
    assert code == "XksProxyUriEndpointInUseException"


def test_vpc_endpoint_service_is_its_own(kms: Any) -> None:
    create_xks(
        kms,
        name="one",
        XksProxyConnectivity="VPC_ENDPOINT_SERVICE",
        XksProxyVpcEndpointServiceName=VPC_SERVICE,
    )
    code, _ = error_of(
        kms.create_custom_key_store,
        **xks_params(
            name="two",
            XksProxyUriEndpoint="https://other.example.com",
            XksProxyConnectivity="VPC_ENDPOINT_SERVICE",
            XksProxyVpcEndpointServiceName=VPC_SERVICE,
        ),
    )
    assert code == "XksProxyVpcEndpointServiceInUseException"


def test_at_most_ten_stores_per_account_and_region(kms: Any, make_client: Any) -> None:
    for n in range(5):
        create_cloudhsm(kms, name=f"hsm-{n}", CloudHsmClusterId=cluster_id(n))
        create_xks(kms, name=f"xks-{n}", XksProxyUriPath=f"/p{n}/kms/xks/v1")
    code, _ = error_of(kms.create_custom_key_store, **xks_params(name="eleventh"))
    assert code == "LimitExceededException"
    # Every state counts: a connected store still occupies a slot.
    first = all_stores(kms)[0]["CustomKeyStoreId"]
    kms.connect_custom_key_store(CustomKeyStoreId=first)
    code, _ = error_of(kms.create_custom_key_store, **xks_params(name="eleventh"))
    assert code == "LimitExceededException"
    # Another region has its own quota.
    create_xks(make_client(region="us-west-2"), name="eleventh")


def test_identical_cloudhsm_create_returns_the_existing_disconnected_store(kms: Any) -> None:
    first = create_cloudhsm(kms)
    assert create_cloudhsm(kms) == first
    assert len(all_stores(kms)) == 1
    # Not when a property differs...
    code, _ = error_of(
        kms.create_custom_key_store,
        **hsm_params("hsm-store", KeyStorePassword="another-password"),
    )
    assert code == "CustomKeyStoreNameInUseException"
    # ...and not once the store is connected.
    kms.connect_custom_key_store(CustomKeyStoreId=first)
    code, _ = error_of(
        kms.create_custom_key_store,
        **hsm_params("hsm-store"),
    )
    assert code == "CustomKeyStoreNameInUseException"


def test_secrets_never_appear_in_the_answer(kms: Any) -> None:
    create_xks(kms)
    create_cloudhsm(kms)
    http = kms.describe_custom_key_stores()["ResponseMetadata"]
    assert http["HTTPStatusCode"] == 200
    body = str(kms.describe_custom_key_stores())
    assert PASSWORD not in body
    assert XKS_SECRET not in body
