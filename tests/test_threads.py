"""Threads: one simulated KMS shared by every thread, as AWS is shared by every caller.

The stress test runs 8 threads, each with its own boto3 client, through 5,000
random store and key operations each, against one account in two regions.
Every answer must be a success or a modeled error (kms_checks checks each one),
every listing must be a consistent snapshot, and afterwards the state must
add up: the stores are exactly those created and not deleted, no key vanished
without a scheduled deletion, the call log holds every call exactly once, and
every store can be emptied and deleted.

The race tests line threads up on a barrier and fire the same request at once:
exactly one of them may win each race.
"""

from __future__ import annotations

import random
import threading
import traceback
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from kms_helpers import (
    PASSWORD,
    XKS_ACCESS_KEY,
    XKS_SECRET,
    cluster_id,
    hsm_params,
    xks_params,
)

from kmsmock import KmsKeystores

THREADS = 8
OPERATIONS_PER_THREAD = 5_000
REGIONS = ("us-east-1", "eu-west-1")
NAMES = tuple(f"store-{n}" for n in range(12))  # more than the quota of 10 stores
CLUSTERS = tuple(cluster_id(n) for n in range(12))
ENDPOINTS = tuple(f"https://xks{n}.example.com" for n in range(6))
STATES = {"CONNECTED", "CONNECTING", "DISCONNECTED", "DISCONNECTING", "FAILED"}
KEY_STATES = {"Enabled", "Disabled", "PendingDeletion", "Unavailable"}
JOIN_TIMEOUT = 240.0
NO_RETRIES = Config(retries={"total_max_attempts": 1, "mode": "standard"})


def new_client(session: boto3.session.Session, region: str = "us-east-1") -> Any:
    """A client of its own, without retries (so that calls can be counted).

    Clients are made in the main thread; each thread then uses only its own.
    """
    return session.client("kms", region_name=region, config=NO_RETRIES)


@pytest.fixture
def session(kms_keystores: KmsKeystores) -> boto3.session.Session:
    """A boto3 session, made while the mock is active."""
    return boto3.session.Session()


def run_threads(count: int, target: Callable[[int], None]) -> None:
    """Run ``target(index)`` on ``count`` threads; re-raise the first failure."""
    failures: list[str] = []

    def main(index: int) -> None:
        try:
            target(index)
        except BaseException:
            failures.append(traceback.format_exc())

    threads = [threading.Thread(target=main, args=(n,), daemon=True) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a thread did not finish in time"
    assert not failures, failures[0]


# -- the stress test ---------------------------------------------------------------------


@dataclass
class Ledger:
    """What the threads did, shared between them (every change under ``lock``)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    stores: list[tuple[str, str, str]] = field(default_factory=list)  # region, id, type
    keys: list[tuple[str, str]] = field(default_factory=list)  # region, key id
    created_stores: set[str] = field(default_factory=set)
    deleted_stores: Counter[str] = field(default_factory=Counter)
    created_keys: set[str] = field(default_factory=set)
    scheduled: Counter[str] = field(default_factory=Counter)
    cancelled: Counter[str] = field(default_factory=Counter)
    calls: Counter[tuple[str, str | None]] = field(default_factory=Counter)
    operations: Counter[str] = field(default_factory=Counter)

    def add(self, attribute: str, item: Any) -> None:
        with self.lock:
            getattr(self, attribute).append(item)


class Worker:
    """One thread's random walk through store and key operations."""

    def __init__(
        self, index: int, ks: KmsKeystores, session: boto3.session.Session, ledger: Ledger
    ) -> None:
        self.index = index
        self.ks = ks
        self.ledger = ledger
        self.rng = random.Random(1000 + index)
        self.clients = {region: new_client(session, region) for region in REGIONS}
        self.calls: Counter[tuple[str, str | None]] = Counter()
        self.operations: Counter[str] = Counter()
        steps: list[tuple[Callable[[], None], int]] = [
            (self.describe_stores, 10),
            (self.create_cloudhsm, 6),
            (self.create_xks, 4),
            (self.connect, 12),
            (self.disconnect, 9),
            (self.rename, 5),
            (self.change_secret, 4),
            (self.delete, 6),
            (self.create_key, 10),
            (self.describe_key, 6),
            (self.schedule_deletion, 5),
            (self.cancel_deletion, 4),
            (self.encrypt_decrypt, 6),
            (self.list_keys, 3),
            (self.advance, 2),
            (self.settle, 1),
        ]
        self.steps = [step for step, _ in steps]
        self.weights = [weight for _, weight in steps]

    def run(self) -> None:
        for step in self.rng.choices(self.steps, self.weights, k=OPERATIONS_PER_THREAD):
            self.operations[step.__name__] += 1
            step()
        with self.ledger.lock:
            self.ledger.calls.update(self.calls)
            self.ledger.operations.update(self.operations)

    # -- helpers

    def call(self, region: str, operation: str, **params: Any) -> dict[str, Any] | None:
        """Make one KMS call; None when KMS answered a (modeled) error."""
        client = self.clients[region]
        name = client.meta.method_to_api_mapping[operation]
        try:
            answer: dict[str, Any] = getattr(client, operation)(**params)
        except ClientError as error:
            self.calls[(name, error.response["Error"]["Code"])] += 1
            return None
        self.calls[(name, None)] += 1
        return answer

    def some_store(self) -> tuple[str, str, str] | None:
        stores = self.ledger.stores
        return self.rng.choice(stores) if stores else None

    def some_key(self) -> tuple[str, str] | None:
        keys = self.ledger.keys
        return self.rng.choice(keys) if keys else None

    # -- steps

    def describe_stores(self) -> None:
        region = self.rng.choice(REGIONS)
        answer = self.call(region, "describe_custom_key_stores")
        assert answer is not None
        check_store_listing(answer["CustomKeyStores"])

    def create_cloudhsm(self) -> None:
        region = self.rng.choice(REGIONS)
        answer = self.call(
            region,
            "create_custom_key_store",
            **hsm_params(self.rng.choice(NAMES), CloudHsmClusterId=self.rng.choice(CLUSTERS)),
        )
        if answer is not None:
            self.created(region, answer["CustomKeyStoreId"], "AWS_CLOUDHSM")

    def create_xks(self) -> None:
        region = self.rng.choice(REGIONS)
        params = xks_params(self.rng.choice(NAMES), XksProxyUriEndpoint=self.rng.choice(ENDPOINTS))
        answer = self.call(region, "create_custom_key_store", **params)
        if answer is not None:
            self.created(region, answer["CustomKeyStoreId"], "EXTERNAL_KEY_STORE")

    def created(self, region: str, store_id: str, store_type: str) -> None:
        with self.ledger.lock:
            if store_id not in self.ledger.created_stores:
                self.ledger.created_stores.add(store_id)
                self.ledger.stores.append((region, store_id, store_type))

    def connect(self) -> None:
        store = self.some_store()
        if store is not None:
            self.call(store[0], "connect_custom_key_store", CustomKeyStoreId=store[1])

    def disconnect(self) -> None:
        store = self.some_store()
        if store is not None:
            self.call(store[0], "disconnect_custom_key_store", CustomKeyStoreId=store[1])

    def rename(self) -> None:
        store = self.some_store()
        if store is not None:
            self.call(
                store[0],
                "update_custom_key_store",
                CustomKeyStoreId=store[1],
                NewCustomKeyStoreName=self.rng.choice(NAMES),
            )

    def change_secret(self) -> None:
        store = self.some_store()
        if store is None:
            return
        region, store_id, store_type = store
        if store_type == "AWS_CLOUDHSM":
            change: dict[str, Any] = {"KeyStorePassword": self.rng.choice([PASSWORD, "another-pw"])}
        else:
            change = {
                "XksProxyAuthenticationCredential": {
                    "AccessKeyId": XKS_ACCESS_KEY,
                    "RawSecretAccessKey": self.rng.choice([XKS_SECRET, XKS_SECRET[::-1]]),
                }
            }
        self.call(region, "update_custom_key_store", CustomKeyStoreId=store_id, **change)

    def delete(self) -> None:
        store = self.some_store()
        if store is None:
            return
        answer = self.call(store[0], "delete_custom_key_store", CustomKeyStoreId=store[1])
        if answer is not None:
            with self.ledger.lock:
                self.ledger.deleted_stores[store[1]] += 1

    def create_key(self) -> None:
        store = self.some_store()
        if store is None:
            return
        region, store_id, store_type = store
        params: dict[str, Any] = {"CustomKeyStoreId": store_id, "Origin": store_type}
        if store_type == "EXTERNAL_KEY_STORE":
            params["XksKeyId"] = f"external-{self.index}-{self.rng.getrandbits(48):x}"
        answer = self.call(region, "create_key", **params)
        if answer is not None:
            key_id = answer["KeyMetadata"]["KeyId"]
            with self.ledger.lock:
                self.ledger.created_keys.add(key_id)
                self.ledger.keys.append((region, key_id))

    def describe_key(self) -> None:
        key = self.some_key()
        if key is None:
            return
        answer = self.call(key[0], "describe_key", KeyId=key[1])
        if answer is not None:
            metadata = answer["KeyMetadata"]
            assert metadata["KeyState"] in KEY_STATES
            assert ("DeletionDate" in metadata) == (metadata["KeyState"] == "PendingDeletion")

    def schedule_deletion(self) -> None:
        key = self.some_key()
        if key is None:
            return
        days = self.rng.choice([7, 8, 30])
        answer = self.call(key[0], "schedule_key_deletion", KeyId=key[1], PendingWindowInDays=days)
        if answer is not None:
            with self.ledger.lock:
                self.ledger.scheduled[key[1]] += 1

    def cancel_deletion(self) -> None:
        key = self.some_key()
        if key is None:
            return
        if self.call(key[0], "cancel_key_deletion", KeyId=key[1]) is not None:
            with self.ledger.lock:
                self.ledger.cancelled[key[1]] += 1

    def encrypt_decrypt(self) -> None:
        key = self.some_key()
        if key is None:
            return
        plaintext = self.rng.randbytes(self.rng.randint(1, 64))
        context = {"thread": str(self.index)}
        sealed = self.call(
            key[0], "encrypt", KeyId=key[1], Plaintext=plaintext, EncryptionContext=context
        )
        if sealed is None:
            return
        opened = self.call(
            key[0],
            "decrypt",
            CiphertextBlob=sealed["CiphertextBlob"],
            EncryptionContext=context,
        )
        if opened is not None:
            assert opened["Plaintext"] == plaintext
            assert opened["KeyId"] == sealed["KeyId"]

    def list_keys(self) -> None:
        answer = self.call(self.rng.choice(REGIONS), "list_keys", Limit=1000)
        assert answer is not None
        ids = [entry["KeyId"] for entry in answer["Keys"]]
        assert len(ids) == len(set(ids))

    def advance(self) -> None:
        self.ks.advance(self.rng.choice([30, 60, 60, 8 * 86400]))

    def settle(self) -> None:
        self.ks.settle()


def check_store_listing(entries: list[dict[str, Any]]) -> None:
    """One DescribeCustomKeyStores answer is a consistent snapshot."""
    names = [entry["CustomKeyStoreName"] for entry in entries]
    assert len(names) == len(set(names)), names
    assert len(entries) <= 10
    for entry in entries:
        assert entry["ConnectionState"] in STATES
        assert ("ConnectionErrorCode" in entry) == (entry["ConnectionState"] == "FAILED"), entry


def all_keys(client: Any) -> list[str]:
    """Every key id ListKeys shows, across pages."""
    ids: list[str] = []
    for page in client.get_paginator("list_keys").paginate():
        ids.extend(entry["KeyId"] for entry in page["Keys"])
    return ids


@pytest.mark.kms_keystores(connect_delay=60, disconnect_delay=60)
def test_threads_share_one_backend_without_corrupting_it(
    kms_keystores: KmsKeystores,
    session: boto3.session.Session,
    report_count: Callable[[str, int], None],
) -> None:
    ks = kms_keystores
    ledger = Ledger()
    workers = [Worker(index, ks, session, ledger) for index in range(THREADS)]
    run_threads(THREADS, lambda index: workers[index].run())

    operations = sum(ledger.operations.values())
    api_calls = sum(ledger.calls.values())
    assert operations == THREADS * OPERATIONS_PER_THREAD
    report_count("threads: threads", THREADS)
    report_count("threads: operations per thread", OPERATIONS_PER_THREAD)
    report_count("threads: operations in total", operations)
    report_count("threads: KMS calls in total", api_calls)

    # The call log holds every call exactly once, with the outcome its caller saw.
    logged = Counter((call.operation, call.error_code) for call in ks.calls)
    assert logged == ledger.calls
    # The walk reached the interesting places.
    successes = {operation for (operation, code), n in ledger.calls.items() if code is None}
    assert {
        "CreateCustomKeyStore",
        "ConnectCustomKeyStore",
        "DisconnectCustomKeyStore",
    } <= successes
    assert {"DeleteCustomKeyStore", "CreateKey", "ScheduleKeyDeletion", "Decrypt"} <= successes

    clients = {region: new_client(session, region) for region in REGIONS}
    ks.settle()

    # Stores: exactly those created and not deleted; each deleted at most once.
    assert all(count == 1 for count in ledger.deleted_stores.values())
    remaining: dict[str, tuple[str, dict[str, Any]]] = {}
    for region, client in clients.items():
        entries = client.describe_custom_key_stores()["CustomKeyStores"]
        check_store_listing(entries)
        remaining.update({entry["CustomKeyStoreId"]: (region, entry) for entry in entries})
    assert set(remaining) == ledger.created_stores - set(ledger.deleted_stores)

    # Keys: none vanished unless its deletion was scheduled; two schedules never both won.
    present = {key for client in clients.values() for key in all_keys(client)}
    assert present <= ledger.created_keys
    for key_id in ledger.created_keys - present:
        assert ledger.scheduled[key_id] >= 1, f"key {key_id} vanished without a deletion"
    for key_id in ledger.created_keys:
        assert ledger.cancelled[key_id] <= ledger.scheduled[key_id] <= ledger.cancelled[key_id] + 1
    for region, client in clients.items():
        for key_id in all_keys(client):
            metadata = client.describe_key(KeyId=key_id)["KeyMetadata"]
            store_region, entry = remaining[metadata["CustomKeyStoreId"]]
            assert store_region == region
            if ledger.scheduled[key_id] > ledger.cancelled[key_id]:
                assert metadata["KeyState"] == "PendingDeletion"
            elif entry["ConnectionState"] != "CONNECTED":
                assert metadata["KeyState"] == "Unavailable"
            else:
                assert metadata["KeyState"] in ("Enabled", "Disabled")

    # Every store can be emptied and deleted: its count of keys is right.
    for store_id, (region, entry) in remaining.items():
        if entry["ConnectionState"] != "DISCONNECTED":
            clients[region].disconnect_custom_key_store(CustomKeyStoreId=store_id)
    ks.settle()
    for client in clients.values():
        for key_id in all_keys(client):
            state = client.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"]
            if state != "PendingDeletion":
                client.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    ks.advance(31 * 86400)
    for store_id, (region, _) in remaining.items():
        clients[region].delete_custom_key_store(CustomKeyStoreId=store_id)
    for client in clients.values():
        assert client.describe_custom_key_stores()["CustomKeyStores"] == []
        assert all_keys(client) == []


# -- races -----------------------------------------------------------------------------

RACERS = 8
ROUNDS = 15


def race(clients: list[Any], request: Callable[[Any, int], Any]) -> list[str | None]:
    """Fire ``request(client, index)`` from every client at once.

    Returns each racer's outcome: None for a success, else the error code.
    """
    barrier = threading.Barrier(len(clients))

    def attempt(index: int) -> str | None:
        barrier.wait(JOIN_TIMEOUT)
        try:
            request(clients[index], index)
        except ClientError as error:
            return str(error.response["Error"]["Code"])
        return None

    with ThreadPoolExecutor(len(clients)) as pool:
        return list(pool.map(attempt, range(len(clients)), timeout=JOIN_TIMEOUT))


@pytest.fixture
def racers(session: boto3.session.Session) -> list[Any]:
    return [new_client(session) for _ in range(RACERS)]


def test_one_of_many_identical_deletes_wins(racers: list[Any]) -> None:
    for n in range(ROUNDS):
        store_id = racers[0].create_custom_key_store(
            **hsm_params(f"doomed-{n}", CloudHsmClusterId=cluster_id(n)),
        )["CustomKeyStoreId"]
        outcomes = race(
            racers, lambda kms, _, s=store_id: kms.delete_custom_key_store(CustomKeyStoreId=s)
        )
        assert Counter(outcomes) == {None: 1, "CustomKeyStoreNotFoundException": RACERS - 1}


def test_one_of_many_creates_with_the_same_name_wins(racers: list[Any]) -> None:
    for n in range(ROUNDS):

        def create(kms: Any, index: int, name: str = f"contested-{n}") -> Any:
            return kms.create_custom_key_store(
                **hsm_params(name, CloudHsmClusterId=cluster_id(index)),
            )

        outcomes = race(racers, create)
        assert Counter(outcomes) == {None: 1, "CustomKeyStoreNameInUseException": RACERS - 1}
        store_id = racers[0].describe_custom_key_stores(CustomKeyStoreName=f"contested-{n}")[
            "CustomKeyStores"
        ][0]["CustomKeyStoreId"]
        racers[0].delete_custom_key_store(CustomKeyStoreId=store_id)


def test_the_store_quota_holds_under_concurrent_creates(session: boto3.session.Session) -> None:
    clients = [new_client(session) for _ in range(16)]

    def create(kms: Any, index: int) -> Any:
        return kms.create_custom_key_store(
            **hsm_params(f"quota-{index}", CloudHsmClusterId=cluster_id(index)),
        )

    outcomes = race(clients, create)
    assert Counter(outcomes) == {None: 10, "LimitExceededException": 6}
    assert len(clients[0].describe_custom_key_stores()["CustomKeyStores"]) == 10


def test_one_of_many_schedules_of_a_key_wins(racers: list[Any]) -> None:
    store_id = racers[0].create_custom_key_store(
        **hsm_params("keys", CloudHsmClusterId=cluster_id(0)),
    )["CustomKeyStoreId"]
    racers[0].connect_custom_key_store(CustomKeyStoreId=store_id)
    for _ in range(ROUNDS):
        key_id = racers[0].create_key(CustomKeyStoreId=store_id, Origin="AWS_CLOUDHSM")[
            "KeyMetadata"
        ]["KeyId"]
        outcomes = race(
            racers,
            lambda kms, _, k=key_id: kms.schedule_key_deletion(KeyId=k, PendingWindowInDays=7),
        )
        assert Counter(outcomes) == {None: 1, "KMSInvalidStateException": RACERS - 1}
        outcomes = race(racers, lambda kms, _, k=key_id: kms.cancel_key_deletion(KeyId=k))
        assert Counter(outcomes) == {None: 1, "KMSInvalidStateException": RACERS - 1}


@pytest.mark.kms_keystores(connect_delay=None, disconnect_delay=None)
def test_concurrent_connects_and_disconnects_leave_a_valid_state(
    racers: list[Any], kms_keystores: KmsKeystores
) -> None:
    store_id = racers[0].create_custom_key_store(
        **hsm_params("flapping", CloudHsmClusterId=cluster_id(0)),
    )["CustomKeyStoreId"]

    def flap(kms: Any, index: int) -> Any:
        if index % 2:
            return kms.connect_custom_key_store(CustomKeyStoreId=store_id)
        return kms.disconnect_custom_key_store(CustomKeyStoreId=store_id)

    for _ in range(ROUNDS):
        outcomes = race(racers, flap)
        assert set(outcomes) <= {None, "CustomKeyStoreInvalidStateException"}
        entry = racers[0].describe_custom_key_stores(CustomKeyStoreId=store_id)["CustomKeyStores"][
            0
        ]
        check_store_listing([entry])
        kms_keystores.settle()
        assert racers[1].describe_custom_key_stores(CustomKeyStoreId=store_id)["CustomKeyStores"][
            0
        ]["ConnectionState"] in ("CONNECTED", "DISCONNECTED")
