"""The ConnectionState rules, checked cell by cell against the reference text.

EXPECTED is written here from AWS's API reference (the
CustomKeyStoreInvalidStateException conditions, ConnectCustomKeyStore,
DisconnectCustomKeyStore, UpdateCustomKeyStore and DeleteCustomKeyStore), not
from kmsmock's table, and every cell is driven through a real boto3 client.
"""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError
from kms_helpers import create_cloudhsm, state

STATES = ["DISCONNECTED", "CONNECTING", "CONNECTED", "DISCONNECTING", "FAILED"]
BAD = "CustomKeyStoreInvalidStateException"

# request -> state -> ConnectionState right after the request, or BAD.
EXPECTED: dict[str, dict[str, str]] = {
    # "valid for all other ConnectionState values" than DISCONNECTING and FAILED
    "connect": dict(zip(STATES, ["CONNECTING", "CONNECTING", "CONNECTED", BAD, BAD], strict=True)),
    # "valid for all other ConnectionState values" than DISCONNECTING and DISCONNECTED
    "disconnect": dict(
        zip(STATES, [BAD, "DISCONNECTING", "DISCONNECTING", BAD, "DISCONNECTING"], strict=True)
    ),
    # the name may change while CONNECTED or DISCONNECTED
    "rename": dict(zip(STATES, ["DISCONNECTED", BAD, "CONNECTED", BAD, BAD], strict=True)),
    # every other property needs DISCONNECTED
    "change-password": dict(zip(STATES, ["DISCONNECTED", BAD, BAD, BAD, BAD], strict=True)),
    # "not disconnected" -> rejected
    "delete": dict(zip(STATES, ["deleted", BAD, BAD, BAD, BAD], strict=True)),
}


def bring_to(kms: Any, ks: Any, target: str) -> str:
    store_id = create_cloudhsm(kms)
    if target == "DISCONNECTED":
        return store_id
    if target == "FAILED":
        ks.fail_next_connect(store_id, "NETWORK_ERRORS")
    kms.connect_custom_key_store(CustomKeyStoreId=store_id)
    if target != "CONNECTING":
        ks.settle()
    if target == "DISCONNECTING":
        kms.disconnect_custom_key_store(CustomKeyStoreId=store_id)
    assert state(kms, store_id) == target
    return store_id


REQUESTS = {
    "connect": lambda kms, sid: kms.connect_custom_key_store(CustomKeyStoreId=sid),
    "disconnect": lambda kms, sid: kms.disconnect_custom_key_store(CustomKeyStoreId=sid),
    "rename": lambda kms, sid: kms.update_custom_key_store(
        CustomKeyStoreId=sid, NewCustomKeyStoreName="renamed"
    ),
    "change-password": lambda kms, sid: kms.update_custom_key_store(
        CustomKeyStoreId=sid, KeyStorePassword="a-new-password"
    ),
    "delete": lambda kms, sid: kms.delete_custom_key_store(CustomKeyStoreId=sid),
}


@pytest.mark.kms_keystores(connect_delay=None, disconnect_delay=None)
@pytest.mark.parametrize("before", STATES)
@pytest.mark.parametrize("request_name", list(EXPECTED))
def test_rule(kms: Any, kms_keystores: Any, request_name: str, before: str) -> None:
    store_id = bring_to(kms, kms_keystores, before)
    expected = EXPECTED[request_name][before]
    try:
        REQUESTS[request_name](kms, store_id)
    except ClientError as error:
        assert error.response["Error"]["Code"] == expected
        assert state(kms, store_id) == before  # a refused request changes nothing
        return
    if expected == "deleted":
        assert kms.describe_custom_key_stores()["CustomKeyStores"] == []
    else:
        assert state(kms, store_id) == expected


def test_an_enabled_key_allows_every_use_but_cancelling_deletion() -> None:
    # The per-request fast paths (find_key, require_key_state) let an Enabled key
    # through without reading KEY_RULES; they rely on this row of the table.
    from kmsmock.domain.key_states import KEY_RULES, KeyState, KeyUse, Outcome

    allowed = {use for use, row in KEY_RULES.items() if row[KeyState.ENABLED] is Outcome.OK}
    assert allowed == set(KeyUse) - {KeyUse.CANCEL_DELETION}
