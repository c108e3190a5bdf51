"""ConnectCustomKeyStore and DisconnectCustomKeyStore, their delays, and FAILED."""

from __future__ import annotations

from typing import Any

import pytest
from kms_helpers import create_cloudhsm, create_xks, describe, error_code, state


def test_connect_answers_empty_and_the_next_call_sees_connected(kms: Any) -> None:
    store_id = create_cloudhsm(kms)
    answer = kms.connect_custom_key_store(CustomKeyStoreId=store_id)
    assert set(answer) == {"ResponseMetadata"}
    assert state(kms, store_id) == "CONNECTED"


@pytest.mark.kms_keystores(connect_delay=1200)
def test_connect_takes_connect_delay_on_the_mock_clock(kms: Any, kms_keystores: Any) -> None:
    store_id = create_cloudhsm(kms)
    kms.connect_custom_key_store(CustomKeyStoreId=store_id)
    assert state(kms, store_id) == "CONNECTING"
    kms_keystores.advance(1199)
    assert state(kms, store_id) == "CONNECTING"
    kms_keystores.advance(1)
    assert state(kms, store_id) == "CONNECTED"


@pytest.mark.kms_keystores(connect_delay=1200)
def test_a_polling_loop_over_twenty_minutes_runs_in_no_time(kms: Any, kms_keystores: Any) -> None:
    store_id = create_cloudhsm(kms)
    kms.connect_custom_key_store(CustomKeyStoreId=store_id)
    polls = 0
    while state(kms, store_id) != "CONNECTED":
        polls += 1
        kms_keystores.advance(30)  # in place of time.sleep(30)
    assert polls == 40
    describes = [c for c in kms_keystores.calls if c.operation == "DescribeCustomKeyStores"]
    assert len(describes) == 41


@pytest.mark.kms_keystores(connect_delay=None, disconnect_delay=None)
def test_a_delay_of_none_waits_for_settle(kms: Any, kms_keystores: Any) -> None:
    store_id = create_cloudhsm(kms)
    kms.connect_custom_key_store(CustomKeyStoreId=store_id)
    kms_keystores.advance(10**9)
    assert state(kms, store_id) == "CONNECTING"
    kms_keystores.settle()
    assert state(kms, store_id) == "CONNECTED"
    kms.disconnect_custom_key_store(CustomKeyStoreId=store_id)
    assert state(kms, store_id) == "DISCONNECTING"
    kms_keystores.settle()
    assert state(kms, store_id) == "DISCONNECTED"


@pytest.mark.kms_keystores(connect_delay=None)
def test_connect_is_valid_while_connecting_and_connected(kms: Any, kms_keystores: Any) -> None:
    store_id = create_cloudhsm(kms)
    kms.connect_custom_key_store(CustomKeyStoreId=store_id)
    kms.connect_custom_key_store(CustomKeyStoreId=store_id)
    assert state(kms, store_id) == "CONNECTING"
    kms_keystores.settle()
    kms.connect_custom_key_store(CustomKeyStoreId=store_id)
    assert state(kms, store_id) == "CONNECTED"


@pytest.mark.kms_keystores(disconnect_delay=None)
def test_connect_is_refused_while_disconnecting(kms: Any) -> None:
    store_id = create_cloudhsm(kms)
    kms.connect_custom_key_store(CustomKeyStoreId=store_id)
    kms.disconnect_custom_key_store(CustomKeyStoreId=store_id)
    assert state(kms, store_id) == "DISCONNECTING"
    assert error_code(kms.connect_custom_key_store, CustomKeyStoreId=store_id) == (
        "CustomKeyStoreInvalidStateException"
    )
    assert state(kms, store_id) == "DISCONNECTING"


def test_a_failed_connection_shows_its_error_code_and_refuses_connect(
    kms: Any, kms_keystores: Any
) -> None:
    store_id = create_xks(kms)
    kms_keystores.fail_next_connect(store_id, "XKS_PROXY_TIMED_OUT")
    kms.connect_custom_key_store(CustomKeyStoreId=store_id)
    entry = describe(kms, store_id)
    assert (entry["ConnectionState"], entry["ConnectionErrorCode"]) == (
        "FAILED",
        "XKS_PROXY_TIMED_OUT",
    )
    assert error_code(kms.connect_custom_key_store, CustomKeyStoreId=store_id) == (
        "CustomKeyStoreInvalidStateException"
    )
    # Disconnect clears the code; the arrangement was used up, so the next attempt connects.
    kms.disconnect_custom_key_store(CustomKeyStoreId=store_id)
    entry = describe(kms, store_id)
    assert entry["ConnectionState"] == "DISCONNECTED"
    assert "ConnectionErrorCode" not in entry
    kms.connect_custom_key_store(CustomKeyStoreId=store_id)
    assert state(kms, store_id) == "CONNECTED"


def test_fail_next_connect_checks_its_arguments(kms: Any, kms_keystores: Any) -> None:
    store_id = create_cloudhsm(kms)
    with pytest.raises(ValueError, match="not a ConnectionErrorCode"):
        kms_keystores.fail_next_connect(store_id, "BROKEN")
    with pytest.raises(LookupError):
        kms_keystores.fail_next_connect("cks-00000000000000000", "INTERNAL_ERROR")


def test_disconnect_is_valid_while_connected(kms: Any) -> None:
    store_id = create_cloudhsm(kms)
    kms.connect_custom_key_store(CustomKeyStoreId=store_id)
    assert set(kms.disconnect_custom_key_store(CustomKeyStoreId=store_id)) == {"ResponseMetadata"}
    assert state(kms, store_id) == "DISCONNECTED"


@pytest.mark.kms_keystores(connect_delay=None)
def test_disconnect_abandons_a_connection_in_progress(kms: Any, kms_keystores: Any) -> None:
    store_id = create_cloudhsm(kms)
    kms.connect_custom_key_store(CustomKeyStoreId=store_id)
    kms.disconnect_custom_key_store(CustomKeyStoreId=store_id)
    assert state(kms, store_id) == "DISCONNECTED"
    kms_keystores.settle()
    assert state(kms, store_id) == "DISCONNECTED"


@pytest.mark.kms_keystores(disconnect_delay=90)
def test_disconnect_takes_disconnect_delay(kms: Any, kms_keystores: Any) -> None:
    store_id = create_cloudhsm(kms)
    kms.connect_custom_key_store(CustomKeyStoreId=store_id)
    kms.disconnect_custom_key_store(CustomKeyStoreId=store_id)
    assert state(kms, store_id) == "DISCONNECTING"
    assert error_code(kms.disconnect_custom_key_store, CustomKeyStoreId=store_id) == (
        "CustomKeyStoreInvalidStateException"
    )
    kms_keystores.advance(90)
    assert state(kms, store_id) == "DISCONNECTED"


def test_disconnect_is_refused_while_disconnected(kms: Any) -> None:
    store_id = create_cloudhsm(kms)
    assert error_code(kms.disconnect_custom_key_store, CustomKeyStoreId=store_id) == (
        "CustomKeyStoreInvalidStateException"
    )


@pytest.mark.parametrize("operation", ["connect_custom_key_store", "disconnect_custom_key_store"])
def test_unknown_stores_are_not_found(kms: Any, operation: str) -> None:
    assert error_code(getattr(kms, operation), CustomKeyStoreId="cks-1234567890abcdef0") == (
        "CustomKeyStoreNotFoundException"
    )


def test_settle_and_advance_reach_every_account_and_region(
    make_client: Any, kms_keystores: Any
) -> None:
    west = make_client(region="us-west-2", account="999988887777")
    store_id = create_cloudhsm(west)
    west.connect_custom_key_store(CustomKeyStoreId=store_id)
    assert state(west, store_id) == "CONNECTED"


def test_reset_clears_everything(kms: Any, kms_keystores: Any) -> None:
    store_id = create_cloudhsm(kms)
    kms_keystores.fail_next_connect(store_id, "INTERNAL_ERROR")
    kms_keystores.advance(3600)
    kms_keystores.reset()
    assert kms_keystores.calls == []
    assert abs(kms_keystores.now() - __import__("time").time()) < 5
    assert kms.describe_custom_key_stores()["CustomKeyStores"] == []
    store_id = create_cloudhsm(kms)
    kms.connect_custom_key_store(CustomKeyStoreId=store_id)
    assert state(kms, store_id) == "CONNECTED"
