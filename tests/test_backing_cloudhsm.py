"""CloudHSM key stores: KMS's answers derived from the arranged CloudHSM cluster."""

from __future__ import annotations

from typing import Any

import pytest
from kms_helpers import (
    CLUSTER_ID,
    PASSWORD,
    TRUST_ANCHOR,
    cluster_id,
    create_cloudhsm,
    describe,
    error_code,
    error_of,
    hsm_params,
)

OTHER_ANCHOR = "-----BEGIN CERTIFICATE-----\nMIIBother\n-----END CERTIFICATE-----"
NEW_PASSWORD = "changed-pw1"


def arrange(ks: Any, cluster: str = CLUSTER_ID, **attributes: Any) -> Any:
    """Arrange a cluster that matches the helpers' trust anchor and password unless told."""
    attributes.setdefault("trust_anchor_certificate", TRUST_ANCHOR)
    attributes.setdefault("kmsuser_password", PASSWORD)
    return ks.cloudhsm_cluster(cluster, **attributes)


def all_stores(kms: Any) -> list[dict[str, Any]]:
    return list(kms.describe_custom_key_stores()["CustomKeyStores"])


def connection(kms: Any, store_id: str) -> tuple[str, str | None]:
    entry = describe(kms, store_id)
    return entry["ConnectionState"], entry.get("ConnectionErrorCode")


def connected_store(kms: Any) -> str:
    store_id = create_cloudhsm(kms)
    kms.connect_custom_key_store(CustomKeyStoreId=store_id)
    assert connection(kms, store_id) == ("CONNECTED", None)
    return store_id


def hsm_key(kms: Any, store_id: str) -> str:
    metadata = kms.create_key(CustomKeyStoreId=store_id, Origin="AWS_CLOUDHSM")["KeyMetadata"]
    return str(metadata["KeyId"])


# -- first use and scope ------------------------------------------------------------------


def test_an_unarranged_cluster_is_provisioned_healthy_on_first_use(kms: Any) -> None:
    store_id = create_cloudhsm(kms)
    kms.connect_custom_key_store(CustomKeyStoreId=store_id)
    assert connection(kms, store_id) == ("CONNECTED", None)


@pytest.mark.kms_keystores(strict=True)
def test_strict_mode_knows_only_arranged_clusters(kms: Any, kms_keystores: Any) -> None:
    assert kms_keystores.strict is True
    code, message = error_of(
        kms.create_custom_key_store,
        **hsm_params("s"),
    )
    assert code == "CloudHsmClusterNotFoundException"
    assert CLUSTER_ID in message
    assert all_stores(kms) == []
    arrange(kms_keystores)
    store_id = create_cloudhsm(kms)
    kms.connect_custom_key_store(CustomKeyStoreId=store_id)
    assert connection(kms, store_id) == ("CONNECTED", None)


@pytest.mark.kms_keystores(strict=True)
@pytest.mark.parametrize(
    "scope", [{"account_id": "111122223333"}, {"region": "us-west-2"}], ids=["account", "region"]
)
def test_a_cluster_in_another_account_or_region_is_not_visible(
    kms: Any, kms_keystores: Any, make_client: Any, scope: dict[str, str]
) -> None:
    arrange(kms_keystores, **scope)
    assert (
        error_code(
            kms.create_custom_key_store,
            **hsm_params("s"),
        )
        == "CloudHsmClusterNotFoundException"
    )
    owner = make_client(region=scope.get("region", "us-east-1"), account=scope.get("account_id"))
    store_id = create_cloudhsm(owner)
    assert describe(owner, store_id)["CloudHsmClusterId"] == CLUSTER_ID


def test_a_broken_cluster_elsewhere_does_not_affect_this_region(
    kms: Any, kms_keystores: Any
) -> None:
    arrange(kms_keystores, region="us-west-2", state="INITIALIZED", hsms=0)
    store_id = create_cloudhsm(kms)
    kms.connect_custom_key_store(CustomKeyStoreId=store_id)
    assert connection(kms, store_id) == ("CONNECTED", None)


# -- CreateCustomKeyStore ---------------------------------------------------------------


@pytest.mark.parametrize(
    "cluster_state", ["INITIALIZED", "UNINITIALIZED", "CREATE_IN_PROGRESS", "DEGRADED"]
)
def test_create_refuses_a_cluster_that_is_not_active(
    kms: Any, kms_keystores: Any, cluster_state: str
) -> None:
    arrange(kms_keystores, state=cluster_state)
    code, message = error_of(
        kms.create_custom_key_store,
        **hsm_params("s"),
    )
    assert code == "CloudHsmClusterNotActiveException"
    assert cluster_state in message
    assert all_stores(kms) == []


def test_create_refuses_a_deleted_cluster_as_not_found(kms: Any, kms_keystores: Any) -> None:
    arrange(kms_keystores, state="DELETED")
    assert (
        error_code(
            kms.create_custom_key_store,
            **hsm_params("s"),
        )
        == "CloudHsmClusterNotFoundException"
    )


@pytest.mark.parametrize(
    "attributes",
    [
        {"hsms": 1},
        {"hsms": 0},
        {"hsms": ["us-east-1a", "us-east-1a"]},
        {"security_group_ok": False},
        {"subnet_zones": ["us-east-1a"]},
        {"subnet_zones": ["us-east-1a", "us-east-1a"]},
    ],
    ids=["one-hsm", "no-hsm", "two-hsms-one-zone", "security-group", "one-subnet", "same-zone"],
)
def test_create_refuses_a_cluster_with_an_invalid_configuration(
    kms: Any, kms_keystores: Any, attributes: dict[str, Any]
) -> None:
    arrange(kms_keystores, **attributes)
    code = error_code(
        kms.create_custom_key_store,
        **hsm_params("s"),
    )
    assert code == "CloudHsmClusterInvalidConfigurationException"
    assert all_stores(kms) == []


def test_create_accepts_two_hsms_in_distinct_zones_and_extra_hsms(
    kms: Any, kms_keystores: Any
) -> None:
    arrange(kms_keystores, hsms=["us-east-1a", "us-east-1a", "us-east-1b"])
    store_id = create_cloudhsm(kms)
    assert describe(kms, store_id)["ConnectionState"] == "DISCONNECTED"


def test_create_refuses_a_trust_anchor_that_is_not_the_clusters(
    kms: Any, kms_keystores: Any
) -> None:
    arrange(kms_keystores, trust_anchor_certificate=OTHER_ANCHOR)
    code = error_code(
        kms.create_custom_key_store,
        **hsm_params("s"),
    )
    assert code == "IncorrectTrustAnchorException"
    assert all_stores(kms) == []
    store_id = create_cloudhsm(kms, TrustAnchorCertificate=OTHER_ANCHOR)
    assert describe(kms, store_id)["TrustAnchorCertificate"] == OTHER_ANCHOR


def test_an_arranged_cluster_with_a_generated_trust_anchor_refuses_another(
    kms: Any, kms_keystores: Any
) -> None:
    cluster = kms_keystores.cloudhsm_cluster(CLUSTER_ID)
    assert cluster.trust_anchor_certificate != TRUST_ANCHOR
    assert (
        error_code(
            kms.create_custom_key_store,
            **hsm_params("s"),
        )
        == "IncorrectTrustAnchorException"
    )
    store_id = create_cloudhsm(kms, TrustAnchorCertificate=cluster.trust_anchor_certificate)
    assert describe(kms, store_id)["CloudHsmClusterId"] == CLUSTER_ID


def test_create_refuses_a_cluster_related_to_one_in_use(kms: Any, kms_keystores: Any) -> None:
    first = arrange(kms_keystores)
    create_cloudhsm(kms)
    arrange(kms_keystores, cluster_id(5), related_to=first)
    code, message = error_of(
        kms.create_custom_key_store,
        **hsm_params("second", CloudHsmClusterId=cluster_id(5)),
    )
    assert code == "CloudHsmClusterInUseException"
    assert CLUSTER_ID in message
    assert len(all_stores(kms)) == 1


def test_create_accepts_an_unrelated_cluster_beside_one_in_use(
    kms: Any, kms_keystores: Any
) -> None:
    arrange(kms_keystores)
    create_cloudhsm(kms)
    arrange(kms_keystores, cluster_id(5))
    create_cloudhsm(kms, "second", CloudHsmClusterId=cluster_id(5))
    assert len(all_stores(kms)) == 2


# -- UpdateCustomKeyStore ---------------------------------------------------------------


def test_update_refuses_an_unrelated_cluster(kms: Any, kms_keystores: Any) -> None:
    arrange(kms_keystores)
    store_id = create_cloudhsm(kms)
    arrange(kms_keystores, cluster_id(9))
    before = describe(kms, store_id)
    code, message = error_of(
        kms.update_custom_key_store, CustomKeyStoreId=store_id, CloudHsmClusterId=cluster_id(9)
    )
    assert code == "CloudHsmClusterNotRelatedException"
    assert cluster_id(9) in message
    assert describe(kms, store_id) == before


def test_update_accepts_a_related_cluster(kms: Any, kms_keystores: Any) -> None:
    original = arrange(kms_keystores)
    store_id = create_cloudhsm(kms)
    arrange(kms_keystores, cluster_id(9), related_to=original)
    kms.update_custom_key_store(CustomKeyStoreId=store_id, CloudHsmClusterId=cluster_id(9))
    assert describe(kms, store_id)["CloudHsmClusterId"] == cluster_id(9)
    kms.connect_custom_key_store(CustomKeyStoreId=store_id)
    assert connection(kms, store_id) == ("CONNECTED", None)


def test_update_checks_the_new_cluster_is_active_and_configured(
    kms: Any, kms_keystores: Any
) -> None:
    original = arrange(kms_keystores)
    store_id = create_cloudhsm(kms)
    relative = arrange(kms_keystores, cluster_id(9), related_to=original, state="INITIALIZED")
    assert (
        error_code(
            kms.update_custom_key_store, CustomKeyStoreId=store_id, CloudHsmClusterId=cluster_id(9)
        )
        == "CloudHsmClusterNotActiveException"
    )
    relative.state = "ACTIVE"
    relative.hsms = 1
    assert (
        error_code(
            kms.update_custom_key_store, CustomKeyStoreId=store_id, CloudHsmClusterId=cluster_id(9)
        )
        == "CloudHsmClusterInvalidConfigurationException"
    )
    assert describe(kms, store_id)["CloudHsmClusterId"] == CLUSTER_ID


@pytest.mark.kms_keystores(strict=True)
def test_update_in_strict_mode_refuses_an_unarranged_cluster(kms: Any, kms_keystores: Any) -> None:
    arrange(kms_keystores)
    store_id = create_cloudhsm(kms)
    assert (
        error_code(
            kms.update_custom_key_store, CustomKeyStoreId=store_id, CloudHsmClusterId=cluster_id(9)
        )
        == "CloudHsmClusterNotFoundException"
    )


def test_update_in_lenient_mode_provisions_a_relative(kms: Any) -> None:
    store_id = create_cloudhsm(kms)
    kms.update_custom_key_store(CustomKeyStoreId=store_id, CloudHsmClusterId=cluster_id(9))
    kms.connect_custom_key_store(CustomKeyStoreId=store_id)
    assert connection(kms, store_id) == ("CONNECTED", None)


# -- ConnectCustomKeyStore: failures raised at once ----------------------------------------


@pytest.mark.parametrize(
    ("attributes", "expected"),
    [
        ({"state": "INITIALIZED"}, "CloudHsmClusterNotActiveException"),
        ({"state": "DEGRADED"}, "CloudHsmClusterNotActiveException"),
        ({"security_group_ok": False}, "CloudHsmClusterInvalidConfigurationException"),
        ({"subnet_zones": ["us-east-1a"]}, "CloudHsmClusterInvalidConfigurationException"),
    ],
)
def test_connect_raises_at_once_and_stays_disconnected(
    kms: Any, kms_keystores: Any, attributes: dict[str, Any], expected: str
) -> None:
    cluster = arrange(kms_keystores)
    store_id = create_cloudhsm(kms)
    for name, value in attributes.items():
        setattr(cluster, name, value)
    assert error_code(kms.connect_custom_key_store, CustomKeyStoreId=store_id) == expected
    assert connection(kms, store_id) == ("DISCONNECTED", None)


def test_connect_needs_only_one_active_hsm(kms: Any, kms_keystores: Any) -> None:
    cluster = arrange(kms_keystores)
    store_id = create_cloudhsm(kms)
    cluster.hsms = 1
    kms.connect_custom_key_store(CustomKeyStoreId=store_id)
    assert connection(kms, store_id) == ("CONNECTED", None)


# -- ConnectCustomKeyStore: attempts that end FAILED ---------------------------------------

SLOW_FAILURES = [
    ({"state": "DELETED"}, {"state": "ACTIVE"}, "CLUSTER_NOT_FOUND"),
    ({"reachable": False}, {"reachable": True}, "NETWORK_ERRORS"),
    ({"hsms": 0}, {"hsms": 2}, "INSUFFICIENT_CLOUDHSM_HSMS"),
    ({"kmsuser_locked_out": True}, {"kmsuser_locked_out": False}, "USER_LOCKED_OUT"),
    ({"kmsuser_exists": False}, {"kmsuser_exists": True}, "USER_NOT_FOUND"),
    ({"kmsuser_logged_in": True}, {"kmsuser_logged_in": False}, "USER_LOGGED_IN"),
    ({"subnets_present": False}, {"subnets_present": True}, "SUBNET_NOT_FOUND"),
    (
        {"free_ip_addresses": 0},
        {"free_ip_addresses": 3},
        "INSUFFICIENT_FREE_ADDRESSES_IN_SUBNET",
    ),
    ({"kmsuser_password": NEW_PASSWORD}, {"kmsuser_password": PASSWORD}, "INVALID_CREDENTIALS"),
]


@pytest.mark.parametrize(
    ("broken", "fixed", "expected"), SLOW_FAILURES, ids=[row[2] for row in SLOW_FAILURES]
)
def test_a_broken_cluster_ends_the_attempt_failed_until_fixed(
    kms: Any,
    kms_keystores: Any,
    broken: dict[str, Any],
    fixed: dict[str, Any],
    expected: str,
) -> None:
    store_id = create_cloudhsm(kms)
    cluster = kms_keystores.cloudhsm_cluster(CLUSTER_ID, **broken)
    kms.connect_custom_key_store(CustomKeyStoreId=store_id)
    assert connection(kms, store_id) == ("FAILED", expected)
    assert error_code(kms.connect_custom_key_store, CustomKeyStoreId=store_id) == (
        "CustomKeyStoreInvalidStateException"
    )
    # Still broken: disconnecting and trying again fails the same way.
    kms.disconnect_custom_key_store(CustomKeyStoreId=store_id)
    assert connection(kms, store_id) == ("DISCONNECTED", None)
    kms.connect_custom_key_store(CustomKeyStoreId=store_id)
    assert connection(kms, store_id) == ("FAILED", expected)
    # Fixed: disconnect, reconnect, CONNECTED.
    for name, value in fixed.items():
        setattr(cluster, name, value)
    kms.disconnect_custom_key_store(CustomKeyStoreId=store_id)
    kms.connect_custom_key_store(CustomKeyStoreId=store_id)
    assert connection(kms, store_id) == ("CONNECTED", None)


def test_internal_error_is_arranged_with_fail_next_connect(kms: Any, kms_keystores: Any) -> None:
    store_id = create_cloudhsm(kms)
    kms_keystores.fail_next_connect(store_id, "INTERNAL_ERROR")
    kms.connect_custom_key_store(CustomKeyStoreId=store_id)
    assert connection(kms, store_id) == ("FAILED", "INTERNAL_ERROR")
    kms.disconnect_custom_key_store(CustomKeyStoreId=store_id)
    kms.connect_custom_key_store(CustomKeyStoreId=store_id)
    assert connection(kms, store_id) == ("CONNECTED", None)


def test_updating_the_password_fixes_invalid_credentials(kms: Any, kms_keystores: Any) -> None:
    store_id = create_cloudhsm(kms)
    kms_keystores.cloudhsm_cluster(CLUSTER_ID).kmsuser_password = NEW_PASSWORD
    kms.connect_custom_key_store(CustomKeyStoreId=store_id)
    assert connection(kms, store_id) == ("FAILED", "INVALID_CREDENTIALS")
    kms.disconnect_custom_key_store(CustomKeyStoreId=store_id)
    kms.update_custom_key_store(CustomKeyStoreId=store_id, KeyStorePassword=NEW_PASSWORD)
    kms.connect_custom_key_store(CustomKeyStoreId=store_id)
    assert connection(kms, store_id) == ("CONNECTED", None)


def test_the_first_failing_check_decides_the_code(kms: Any, kms_keystores: Any) -> None:
    store_id = create_cloudhsm(kms)
    cluster = kms_keystores.cloudhsm_cluster(CLUSTER_ID, reachable=False, kmsuser_exists=False)
    kms.connect_custom_key_store(CustomKeyStoreId=store_id)
    assert connection(kms, store_id) == ("FAILED", "NETWORK_ERRORS")
    cluster.reachable = True
    kms.disconnect_custom_key_store(CustomKeyStoreId=store_id)
    kms.connect_custom_key_store(CustomKeyStoreId=store_id)
    assert connection(kms, store_id) == ("FAILED", "USER_NOT_FOUND")


@pytest.mark.kms_keystores(connect_delay=600)
def test_the_attempt_reads_the_cluster_when_it_completes(kms: Any, kms_keystores: Any) -> None:
    store_id = create_cloudhsm(kms)
    kms.connect_custom_key_store(CustomKeyStoreId=store_id)
    assert connection(kms, store_id) == ("CONNECTING", None)
    kms_keystores.cloudhsm_cluster(CLUSTER_ID, kmsuser_logged_in=True)
    kms_keystores.advance(600)
    assert connection(kms, store_id) == ("FAILED", "USER_LOGGED_IN")


@pytest.mark.kms_keystores(connect_delay=1200)
def test_polling_a_twenty_minute_connection_that_fails(kms: Any, kms_keystores: Any) -> None:
    store_id = create_cloudhsm(kms)
    kms_keystores.cloudhsm_cluster(CLUSTER_ID).kmsuser_password = NEW_PASSWORD
    kms.connect_custom_key_store(CustomKeyStoreId=store_id)
    polls = 0
    while (current := connection(kms, store_id))[0] == "CONNECTING":
        polls += 1
        kms_keystores.advance(30)  # in place of time.sleep(30)
    assert polls == 40
    assert current == ("FAILED", "INVALID_CREDENTIALS")


# -- a cluster that breaks while CONNECTED ----------------------------------------------


@pytest.mark.parametrize(
    "broken", [{"reachable": False}, {"hsms": 0}, {"state": "DELETED"}], ids=str
)
def test_crypto_answers_invalid_state_when_the_cluster_breaks(
    kms: Any, kms_keystores: Any, broken: dict[str, Any]
) -> None:
    store_id = connected_store(kms)
    key_id = hsm_key(kms, store_id)
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"secret")["CiphertextBlob"]
    cluster = kms_keystores.cloudhsm_cluster(CLUSTER_ID, **broken)
    assert error_code(kms.encrypt, KeyId=key_id, Plaintext=b"x") == "KMSInvalidStateException"
    assert error_code(kms.decrypt, CiphertextBlob=blob) == "KMSInvalidStateException"
    assert error_code(kms.generate_data_key, KeyId=key_id, KeySpec="AES_256") == (
        "KMSInvalidStateException"
    )
    # The store still reads CONNECTED: KMS finds out only when it uses the cluster.
    assert connection(kms, store_id) == ("CONNECTED", None)
    cluster.reachable, cluster.hsms, cluster.state = True, 2, "ACTIVE"
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"secret"


def test_crypto_needs_only_one_active_hsm(kms: Any, kms_keystores: Any) -> None:
    store_id = connected_store(kms)
    key_id = hsm_key(kms, store_id)
    kms_keystores.cloudhsm_cluster(CLUSTER_ID, hsms=1)
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"one")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"one"


@pytest.mark.parametrize(
    "hsms", [1, 0, ["us-east-1b", "us-east-1b"]], ids=["one", "none", "one-zone"]
)
def test_create_key_needs_two_active_hsms_in_distinct_zones(
    kms: Any, kms_keystores: Any, hsms: Any
) -> None:
    store_id = connected_store(kms)
    cluster = kms_keystores.cloudhsm_cluster(CLUSTER_ID, hsms=hsms)
    assert error_code(kms.create_key, CustomKeyStoreId=store_id, Origin="AWS_CLOUDHSM") == (
        "CloudHsmClusterInvalidConfigurationException"
    )
    cluster.hsms = ["us-east-1b", "us-east-1c"]
    key_id = hsm_key(kms, store_id)
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["CloudHsmClusterId"] == CLUSTER_ID


def test_create_key_in_an_unreachable_cluster(kms: Any, kms_keystores: Any) -> None:
    store_id = connected_store(kms)
    kms_keystores.cloudhsm_cluster(CLUSTER_ID, reachable=False)
    assert error_code(kms.create_key, CustomKeyStoreId=store_id, Origin="AWS_CLOUDHSM") == (
        "CustomKeyStoreInvalidStateException"
    )


# -- GenerateRandom in a CloudHSM key store ---------------------------------------------


def test_generate_random_in_a_connected_store(kms: Any) -> None:
    store_id = connected_store(kms)
    answer = kms.generate_random(NumberOfBytes=24, CustomKeyStoreId=store_id)
    assert len(answer["Plaintext"]) == 24


def test_generate_random_in_a_disconnected_store(kms: Any) -> None:
    store_id = create_cloudhsm(kms)
    assert error_code(kms.generate_random, NumberOfBytes=8, CustomKeyStoreId=store_id) == (
        "CustomKeyStoreInvalidStateException"
    )
    kms.connect_custom_key_store(CustomKeyStoreId=store_id)
    kms.disconnect_custom_key_store(CustomKeyStoreId=store_id)
    assert error_code(kms.generate_random, NumberOfBytes=8, CustomKeyStoreId=store_id) == (
        "CustomKeyStoreInvalidStateException"
    )


def test_generate_random_when_the_cluster_is_unreachable(kms: Any, kms_keystores: Any) -> None:
    store_id = connected_store(kms)
    cluster = kms_keystores.cloudhsm_cluster(CLUSTER_ID, reachable=False)
    assert error_code(kms.generate_random, NumberOfBytes=8, CustomKeyStoreId=store_id) == (
        "CustomKeyStoreInvalidStateException"
    )
    cluster.reachable = True
    assert len(kms.generate_random(NumberOfBytes=8, CustomKeyStoreId=store_id)["Plaintext"]) == 8
