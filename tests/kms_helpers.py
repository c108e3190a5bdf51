"""Helpers the tests share: valid parameters, and short ways to create and inspect stores."""

from __future__ import annotations

from typing import Any

CLUSTER_ID = "cluster-234567abcdef"
TRUST_ANCHOR = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----"
PASSWORD = "kmsuser-Passw0rd"
XKS_ACCESS_KEY = "ABCDEFGHIJKLMNOPQRST"
XKS_SECRET = "K4M5S6M7O8C9KxSecretAccessKeyValue0123456789abcdef"


def cluster_id(n: int) -> str:
    """A distinct, valid CloudHSM cluster id for each n."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    return "cluster-" + "234567abcde" + letters[n // 26 % 26] + letters[n % 26]


def hsm_params(name: str = "hsm-store", **overrides: Any) -> dict[str, Any]:
    """CreateCustomKeyStore parameters of a CloudHSM key store."""
    return {
        "CustomKeyStoreName": name,
        "CloudHsmClusterId": CLUSTER_ID,
        "TrustAnchorCertificate": TRUST_ANCHOR,
        "KeyStorePassword": PASSWORD,
        **overrides,
    }


def create_cloudhsm(kms: Any, name: str = "hsm-store", **overrides: Any) -> str:
    """Create a CloudHSM key store and return its id."""
    return str(kms.create_custom_key_store(**hsm_params(name, **overrides))["CustomKeyStoreId"])


def xks_params(name: str = "xks-store", **overrides: Any) -> dict[str, Any]:
    """CreateCustomKeyStore parameters of a public-endpoint external key store."""
    return {
        "CustomKeyStoreName": name,
        "CustomKeyStoreType": "EXTERNAL_KEY_STORE",
        "XksProxyUriEndpoint": "https://xks.example.com",
        "XksProxyUriPath": "/kms/xks/v1",
        "XksProxyConnectivity": "PUBLIC_ENDPOINT",
        "XksProxyAuthenticationCredential": {
            "AccessKeyId": XKS_ACCESS_KEY,
            "RawSecretAccessKey": XKS_SECRET,
        },
        **overrides,
    }


def create_xks(kms: Any, name: str = "xks-store", **overrides: Any) -> str:
    """Create an external key store and return its id."""
    return str(kms.create_custom_key_store(**xks_params(name, **overrides))["CustomKeyStoreId"])


def describe(kms: Any, store_id: str) -> dict[str, Any]:
    """The DescribeCustomKeyStores entry of one store."""
    entries = kms.describe_custom_key_stores(CustomKeyStoreId=store_id)["CustomKeyStores"]
    assert len(entries) == 1
    return dict(entries[0])


def state(kms: Any, store_id: str) -> str:
    """A store's ConnectionState."""
    return str(describe(kms, store_id)["ConnectionState"])


def connected_cloudhsm(kms: Any, name: str = "hsm-store", **overrides: Any) -> str:
    """Create a CloudHSM key store, connect it, and return its id."""
    store_id = create_cloudhsm(kms, name, **overrides)
    kms.connect_custom_key_store(CustomKeyStoreId=store_id)
    assert state(kms, store_id) == "CONNECTED"
    return store_id


def connected_xks(kms: Any, name: str = "xks-store", **overrides: Any) -> str:
    """Create an external key store, connect it, and return its id."""
    store_id = create_xks(kms, name, **overrides)
    kms.connect_custom_key_store(CustomKeyStoreId=store_id)
    assert state(kms, store_id) == "CONNECTED"
    return store_id


def error_code(call: Any, **params: Any) -> str:
    """The AWS error code ``call(**params)`` fails with (the test fails if it succeeds)."""
    from botocore.exceptions import ClientError

    try:
        call(**params)
    except ClientError as error:
        return str(error.response["Error"]["Code"])
    raise AssertionError(f"{call.__name__}({params}) succeeded")


def error_of(call: Any, **params: Any) -> tuple[str, str]:
    """The AWS error code and message ``call(**params)`` fails with."""
    from botocore.exceptions import ClientError

    try:
        call(**params)
    except ClientError as error:
        return str(error.response["Error"]["Code"]), str(error.response["Error"]["Message"])
    raise AssertionError(f"{call.__name__}({params}) succeeded")


def own_aliases(kms: Any, **params: Any) -> list[dict[str, Any]]:
    """ListAliases without the predefined ``alias/aws/...`` aliases every account has."""
    return [
        alias
        for page in kms.get_paginator("list_aliases").paginate(**params)
        for alias in page["Aliases"]
        if not alias["AliasName"].startswith("alias/aws/")
    ]
