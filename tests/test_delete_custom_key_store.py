"""DeleteCustomKeyStore: only from DISCONNECTED."""

from __future__ import annotations

from typing import Any

import pytest
from kms_helpers import create_cloudhsm, create_xks, error_code


def test_delete_a_disconnected_store(kms: Any) -> None:
    store_id = create_xks(kms)
    assert set(kms.delete_custom_key_store(CustomKeyStoreId=store_id)) == {"ResponseMetadata"}
    assert kms.describe_custom_key_stores()["CustomKeyStores"] == []
    assert error_code(kms.delete_custom_key_store, CustomKeyStoreId=store_id) == (
        "CustomKeyStoreNotFoundException"
    )
    # Its name and endpoint are free again.
    create_xks(kms)


@pytest.mark.kms_keystores(connect_delay=None, disconnect_delay=None)
def test_delete_is_refused_in_every_other_state(kms: Any, kms_keystores: Any) -> None:
    store_id = create_cloudhsm(kms)
    kms.connect_custom_key_store(CustomKeyStoreId=store_id)  # CONNECTING
    assert error_code(kms.delete_custom_key_store, CustomKeyStoreId=store_id) == (
        "CustomKeyStoreInvalidStateException"
    )
    kms_keystores.settle()  # CONNECTED
    assert error_code(kms.delete_custom_key_store, CustomKeyStoreId=store_id) == (
        "CustomKeyStoreInvalidStateException"
    )
    kms.disconnect_custom_key_store(CustomKeyStoreId=store_id)  # DISCONNECTING
    assert error_code(kms.delete_custom_key_store, CustomKeyStoreId=store_id) == (
        "CustomKeyStoreInvalidStateException"
    )
    kms_keystores.settle()
    kms_keystores.fail_next_connect(store_id, "CLUSTER_NOT_FOUND")
    kms.connect_custom_key_store(CustomKeyStoreId=store_id)
    kms_keystores.settle()  # FAILED
    assert error_code(kms.delete_custom_key_store, CustomKeyStoreId=store_id) == (
        "CustomKeyStoreInvalidStateException"
    )
    assert len(kms.describe_custom_key_stores()["CustomKeyStores"]) == 1


@pytest.mark.kms_keystores(connect_delay=None)
def test_deleting_forgets_pending_work(kms: Any, kms_keystores: Any) -> None:
    store_id = create_cloudhsm(kms)
    kms.connect_custom_key_store(CustomKeyStoreId=store_id)
    kms.disconnect_custom_key_store(CustomKeyStoreId=store_id)
    kms.delete_custom_key_store(CustomKeyStoreId=store_id)
    kms_keystores.settle()
    assert kms.describe_custom_key_stores()["CustomKeyStores"] == []
