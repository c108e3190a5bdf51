"""A watchdog that repairs custom key stores whose connection FAILED.

Run it on a schedule (cron, a Lambda function) in an account that uses
custom key stores. For every store in the FAILED state it:

1. reads why it failed (its ConnectionErrorCode);
2. disconnects it, since AWS KMS reconnects a FAILED store only after a
   disconnect, and waits until it is DISCONNECTED;
3. connects it again and waits until the attempt ends, CONNECTED or FAILED.

A store whose cause needs a person (a locked-out kmsuser, wrong credentials)
fails again; the watchdog reports it and leaves it for the next run.

    python examples/keystore_watchdog.py    # uses boto3's usual configuration
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

NEEDS_A_PERSON = frozenset(
    {
        "INVALID_CREDENTIALS",
        "USER_LOCKED_OUT",
        "USER_NOT_FOUND",
        "USER_LOGGED_IN",
        "XKS_PROXY_ACCESS_DENIED",
    }
)
"""ConnectionErrorCodes that reconnecting cannot cure: a person must act first."""


@dataclass
class Repair:
    """What the watchdog did to one FAILED store."""

    store_id: str
    name: str
    error_code: str
    outcome: str
    """"CONNECTED", "FAILED (<code>)", or "skipped: <why>"."""


# --8<-- [start:watchdog]
def stores_in_state(kms: Any, state: str) -> list[dict[str, Any]]:
    """Every custom key store of the account and Region in ``state``, across pages."""
    found = []
    for page in kms.get_paginator("describe_custom_key_stores").paginate():
        found += [store for store in page["CustomKeyStores"] if store["ConnectionState"] == state]
    return found


def wait_while(
    kms: Any,
    store_id: str,
    states: set[str],
    *,
    poll: float,
    timeout: float,
    sleep: Callable[[float], None],
) -> dict[str, Any]:
    """Poll the store until its ConnectionState leaves ``states``; return it then."""
    waited = 0.0
    while True:
        [store] = kms.describe_custom_key_stores(CustomKeyStoreId=store_id)["CustomKeyStores"]
        if store["ConnectionState"] not in states:
            return dict(store)
        if waited >= timeout:
            raise TimeoutError(f"{store_id} stayed {store['ConnectionState']} for {timeout} s")
        sleep(poll)
        waited += poll


def repair_failed_stores(
    kms: Any,
    *,
    poll: float = 15.0,
    timeout: float = 1800.0,
    sleep: Callable[[float], None] = time.sleep,
) -> list[Repair]:
    """Disconnect and reconnect every FAILED store; report what happened to each."""
    repairs = []
    for store in stores_in_state(kms, "FAILED"):
        store_id, code = store["CustomKeyStoreId"], store.get("ConnectionErrorCode", "")
        name = store["CustomKeyStoreName"]
        if code in NEEDS_A_PERSON:
            repairs.append(Repair(store_id, name, code, f"skipped: {code} needs a person"))
            continue
        kms.disconnect_custom_key_store(CustomKeyStoreId=store_id)
        wait_while(kms, store_id, {"DISCONNECTING"}, poll=poll, timeout=timeout, sleep=sleep)
        kms.connect_custom_key_store(CustomKeyStoreId=store_id)
        after = wait_while(kms, store_id, {"CONNECTING"}, poll=poll, timeout=timeout, sleep=sleep)
        outcome = after["ConnectionState"]
        if outcome == "FAILED":
            outcome = f"FAILED ({after.get('ConnectionErrorCode')})"
        repairs.append(Repair(store_id, name, code, outcome))
    return repairs


# --8<-- [end:watchdog]


def main() -> int:
    """Repair the FAILED stores of the default account and Region; 1 if any is still broken."""
    import boto3

    repairs = repair_failed_stores(boto3.client("kms"))
    for repair in repairs:
        print(f"{repair.store_id} ({repair.name}): was {repair.error_code}, now {repair.outcome}")
    print(f"{len(repairs)} FAILED store(s) seen")
    return 0 if all(repair.outcome == "CONNECTED" for repair in repairs) else 1


if __name__ == "__main__":
    sys.exit(main())
