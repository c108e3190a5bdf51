"""Tear down a custom key store: its KMS keys first, then the store.

AWS KMS deletes a custom key store only when no KMS key remains in it, and
deletes a KMS key only after a waiting period of 7 to 30 days. So teardown
has two phases, run days apart:

    python examples/teardown_key_store.py cks-1234567890abcdef0          # phase 1
    python examples/teardown_key_store.py cks-1234567890abcdef0 --finish # phase 2

Phase 1 schedules every key in the store for deletion (the shortest window,
7 days) and disconnects the store. Phase 2 deletes the store once its keys
are gone, and says how long to wait if they are not.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

WINDOW_DAYS = 7


# --8<-- [start:teardown]
def keys_in_store(kms: Any, store_id: str) -> list[dict[str, Any]]:
    """The KeyMetadata of every KMS key in the custom key store."""
    found = []
    for page in kms.get_paginator("list_keys").paginate():
        for entry in page["Keys"]:
            metadata = kms.describe_key(KeyId=entry["KeyId"])["KeyMetadata"]
            if metadata.get("CustomKeyStoreId") == store_id:
                found.append(metadata)
    return found


def schedule_teardown(kms: Any, store_id: str) -> list[str]:
    """Phase 1: schedule the store's keys for deletion and disconnect it; the keys' ids."""
    scheduled = []
    for key in keys_in_store(kms, store_id):
        if key["KeyState"] != "PendingDeletion":
            kms.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=WINDOW_DAYS)
        scheduled.append(key["KeyId"])
    [store] = kms.describe_custom_key_stores(CustomKeyStoreId=store_id)["CustomKeyStores"]
    if store["ConnectionState"] not in ("DISCONNECTED", "DISCONNECTING"):
        kms.disconnect_custom_key_store(CustomKeyStoreId=store_id)
    return scheduled


def finish_teardown(kms: Any, store_id: str) -> str | None:
    """Phase 2: delete the store if its keys are gone; otherwise why it cannot be yet."""
    remaining = keys_in_store(kms, store_id)
    if remaining:
        last = max(key["DeletionDate"] for key in remaining if "DeletionDate" in key)
        return f"{len(remaining)} key(s) remain; the last is deleted on {last:%Y-%m-%d %H:%M}"
    [store] = kms.describe_custom_key_stores(CustomKeyStoreId=store_id)["CustomKeyStores"]
    if store["ConnectionState"] != "DISCONNECTED":
        return f"the store is {store['ConnectionState']}; it must be DISCONNECTED"
    kms.delete_custom_key_store(CustomKeyStoreId=store_id)
    return None


# --8<-- [end:teardown]


def main(argv: list[str] | None = None) -> int:
    """Run phase 1, or phase 2 with --finish."""
    import boto3

    parser = argparse.ArgumentParser(description="Tear down a custom key store.")
    parser.add_argument("store_id")
    parser.add_argument("--finish", action="store_true", help="phase 2: delete the store")
    arguments = parser.parse_args(argv)
    kms = boto3.client("kms")
    if not arguments.finish:
        scheduled = schedule_teardown(kms, arguments.store_id)
        print(f"{len(scheduled)} key(s) pending deletion; run with --finish in {WINDOW_DAYS} days")
        return 0
    waiting = finish_teardown(kms, arguments.store_id)
    if waiting is not None:
        print(f"not yet: {waiting}")
        return 1
    print(f"deleted {arguments.store_id}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
