"""Model-based test: random sequences of store and key operations against a reference model.

A hypothesis RuleBasedStateMachine drives kmsmock through a real boto3 client
with random sequences of: create, connect, disconnect, update and delete a
custom key store; settle, advance the mock clock, fail_next_connect; create a
KMS key in a store and schedule its deletion (and describe a key, create and
list its grants, and aim at stores and keys that are gone). Each sequence
starts from a random small world (one or two stores, new, connecting,
connected, failed, with keys, or with a key pending deletion) built with the
same checked steps, then takes up to 8 random steps. After every step, the
outcome (success, or which error) must be what the reference model predicts,
and so must the state of every store (read back with DescribeCustomKeyStores
after each step that can change a store) and of every key (ListKeys after the
clock moves, DescribeKey as a step), and of every grant (ListGrants as a step,
ListRetirableGrants after the clock moves).

2,000 sequences run (4 tests of 500, each with a fixed seed, so that xdist can
spread them), with the wall-clock part of the mock clock frozen: only
``ks.advance`` moves time, as in the model.

The reference model is written from AWS's reference text, not from kmsmock's
tables (it imports none of them):

- CustomKeyStoreInvalidStateException: ConnectCustomKeyStore is refused in
  DISCONNECTING and FAILED, "valid for all other ConnectionState values";
  DisconnectCustomKeyStore is refused in DISCONNECTING and DISCONNECTED;
  UpdateCustomKeyStore and DeleteCustomKeyStore need DISCONNECTED, except that
  UpdateCustomKeyStore may change the name of a CONNECTED store (and, for an
  external key store, XksProxyAuthenticationCredential and XksProxyUriPath:
  UpdateCustomKeyStore's own text); CreateKey needs CONNECTED.
- ConnectCustomKeyStore "starts the connection process"; DeleteCustomKeyStore
  refuses a store that contains KMS keys (CustomKeyStoreHasCMKsException), and
  a key scheduled for deletion is still in the store until its waiting period
  ends (ScheduleKeyDeletion).
- CreateCustomKeyStore: names are unique in the account, a CloudHSM cluster
  backs one store, and an external key store's proxy URI (endpoint and path)
  is unique in the Region.
- Key states ("Key states of KMS keys"): PendingDeletion once scheduled,
  otherwise Unavailable while the store is not CONNECTED, otherwise Enabled.
  CreateGrant succeeds on Enabled and Unavailable keys and answers
  KMSInvalidStateException on a key pending deletion; ListGrants succeeds in
  every key state. A key's grants go with the key ("Grants in AWS KMS").
- kmsmock's own documented behaviour (docs/state-rules.md, docs/entry-points.md):
  CONNECTING and DISCONNECTING end ``connect_delay`` and ``disconnect_delay``
  seconds later on the mock clock, or at ``ks.settle()`` (a delay of None waits
  for it); ``ks.fail_next_connect`` makes the next attempt end FAILED; a
  CloudHSM create identical to an existing DISCONNECTED store returns that store.

When the reference text allows more than one error (a request that breaks two
rules at once), any of them is accepted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from botocore.exceptions import ClientError
from hypothesis import strategies as st
from hypothesis.stateful import (
    initialize,
    invariant,
    precondition,
    rule,
)
from machine_helpers import MockedMachine, run_chunk

import kmsmock.activation
from kmsmock import mock_kms_keystores

SEQUENCES = 2_000
CHUNKS = 4  # run as separate tests, so that xdist can spread them over its workers
STEPS_PER_SEQUENCE = 8

# Small pools, so that requests collide often.
NAMES = ("alpha", "beta", "gamma")
CLUSTERS = ("cluster-234567abcdef", "cluster-234567abcdeg")
PASSWORDS = ("kmsuser-passw0rd", "kmsuser-passw1rd")
ENDPOINTS = ("https://xks-a.example.com", "https://xks-b.example.com")
PATHS = ("/kms/xks/v1", "/tenant/kms/xks/v1")
SECRETS = (
    "K4M5S6M7O8C9KxSecretAccessKeyValue0123456789ab",
    "A0B1C2D3E4F5G6H7I8J9K0L1M2N3O4P5Q6R7S8T9U0V1W2X3",
)
TRUST_ANCHOR = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----"
FAILURE_CODES = ("INVALID_CREDENTIALS", "NETWORK_ERRORS", "INTERNAL_ERROR")
"""Codes KMS documents for both types of custom key store (fail_next_connect refuses others)."""
DAY = 86_400

# ConnectionState values.
DISCONNECTED, CONNECTING, CONNECTED = "DISCONNECTED", "CONNECTING", "CONNECTED"
DISCONNECTING, FAILED = "DISCONNECTING", "FAILED"
INVALID_STATE = "CustomKeyStoreInvalidStateException"
STORE_NOT_FOUND = "CustomKeyStoreNotFoundException"

SAME = "unchanged"
STARTING_SHAPES = ("new", "connecting", "connected", "failed", "with keys", "pending deletion")
DELETED_STORE_REQUESTS = (
    "connect_custom_key_store",
    "disconnect_custom_key_store",
    "update_custom_key_store",
    "delete_custom_key_store",
    "create_key",
    "fail_next_connect",
)

# The reference table: state before -> state after the request, or INVALID_STATE.
REFERENCE: dict[str, dict[str, str]] = {
    "connect": {
        DISCONNECTED: CONNECTING,
        CONNECTING: SAME,  # the connection process is already under way
        CONNECTED: SAME,
        DISCONNECTING: INVALID_STATE,
        FAILED: INVALID_STATE,  # "disconnect it, then connect it"
    },
    "disconnect": {
        DISCONNECTED: INVALID_STATE,
        CONNECTING: DISCONNECTING,
        CONNECTED: DISCONNECTING,
        DISCONNECTING: INVALID_STATE,
        FAILED: DISCONNECTING,
    },
    "update, connected-safe properties only": {
        DISCONNECTED: SAME,
        CONNECTING: INVALID_STATE,
        CONNECTED: SAME,
        DISCONNECTING: INVALID_STATE,
        FAILED: INVALID_STATE,
    },
    "update, any other property": {
        DISCONNECTED: SAME,
        CONNECTING: INVALID_STATE,
        CONNECTED: INVALID_STATE,
        DISCONNECTING: INVALID_STATE,
        FAILED: INVALID_STATE,
    },
    "delete": {
        DISCONNECTED: "deleted",
        CONNECTING: INVALID_STATE,
        CONNECTED: INVALID_STATE,
        DISCONNECTING: INVALID_STATE,
        FAILED: INVALID_STATE,
    },
    "create key": {
        DISCONNECTED: INVALID_STATE,
        CONNECTING: INVALID_STATE,
        CONNECTED: SAME,
        DISCONNECTING: INVALID_STATE,
        FAILED: INVALID_STATE,
    },
}

# Properties each type of store may change while CONNECTED (UpdateCustomKeyStore).
CONNECTED_SAFE = {
    "AWS_CLOUDHSM": {"NewCustomKeyStoreName"},
    "EXTERNAL_KEY_STORE": {
        "NewCustomKeyStoreName",
        "XksProxyAuthenticationCredential",
        "XksProxyUriPath",
    },
}


@dataclass
class RefStore:
    """The reference model's view of one custom key store."""

    type: str
    name: str
    cluster: str | None = None
    password: str | None = None
    endpoint: str | None = None
    path: str | None = None
    state: str = DISCONNECTED
    error_code: str | None = None
    due: float | None = None  # model time a transition ends; None: at settle()
    fail_next: str | None = None


@dataclass
class RefKey:
    """The reference model's view of one KMS key."""

    store_id: str
    deletion_date: float | None = None
    grants: int = 0


@dataclass
class Reference:
    """The whole reference model: stores, keys and the mock clock."""

    connect_delay: float | None
    disconnect_delay: float | None
    now: float = 0.0
    stores: dict[str, RefStore] = field(default_factory=dict)
    keys: dict[str, RefKey] = field(default_factory=dict)

    def catch_up(self) -> None:
        """Complete what is due on the clock (KMS does, before answering anything)."""
        for store in self.stores.values():
            due = store.due is not None and store.due <= self.now
            if store.state in (CONNECTING, DISCONNECTING) and due:
                self.finish(store)
        for key_id, key in list(self.keys.items()):
            if key.deletion_date is not None and key.deletion_date <= self.now:
                del self.keys[key_id]

    def finish(self, store: RefStore) -> None:
        """End a CONNECTING or DISCONNECTING store's transition."""
        store.due = None
        if store.state == CONNECTING and store.fail_next is not None:
            store.state, store.error_code, store.fail_next = FAILED, store.fail_next, None
        elif store.state == CONNECTING:
            store.state, store.error_code = CONNECTED, None
        else:
            store.state, store.error_code = DISCONNECTED, None

    def settle(self) -> None:
        for store in self.stores.values():
            if store.state in (CONNECTING, DISCONNECTING):
                self.finish(store)

    def begin(self, store: RefStore, state: str, delay: float | None) -> None:
        store.state = state
        store.due = None if delay is None else self.now + delay

    def key_state(self, key: RefKey) -> str:
        if key.deletion_date is not None:
            return "PendingDeletion"
        if self.stores[key.store_id].state != CONNECTED:
            return "Unavailable"
        return "Enabled"

    def keys_in(self, store_id: str) -> int:
        return sum(1 for key in self.keys.values() if key.store_id == store_id)


def freeze_wall_clock() -> None:
    """Stop wall time in the active mock's clock, so that only ``ks.advance`` moves it.

    The mock clock is wall time plus what ``advance`` added; the reference model
    counts only the advances. Freezing the wall-time part (an internal of the
    clock) keeps a sequence that lands exactly on a deadline deterministic.
    """
    simulation = kmsmock.activation.current()
    assert simulation is not None
    clock = simulation.kms.clock
    assert hasattr(clock, "_wall"), "kmsmock's Clock changed: update freeze_wall_clock"
    frozen = clock.now() - clock.offset
    clock._wall = lambda: frozen
    clock.advance(0)  # the clock picks up its new wall time


GRANTEE = "arn:aws:iam::123456789012:role/grantee"
"""The grantee and retiring principal of every grant a sequence creates."""

Outcome = str | None
"""What a request answered: None for success, else the error code."""


def outcome_of(call: Callable[..., Any], **params: Any) -> tuple[Outcome, dict[str, Any]]:
    try:
        return None, call(**params)
    except ClientError as error:
        return str(error.response["Error"]["Code"]), {}


def check(outcome: Outcome, allowed: set[Outcome], what: str) -> None:
    assert outcome in allowed, f"{what}: kmsmock answered {outcome!r}, the reference {allowed!r}"


class KeyStoreMachine(MockedMachine):
    """Random sequences of store and key operations, each checked against :class:`Reference`.

    A sequence starts from a random small world (stores that are new,
    connecting, connected, failed, or holding keys, some pending deletion),
    built with the same checked steps, then takes random steps. Rules pick
    their target from the reference model; separate rules aim at stores and
    keys that are gone, which must answer NotFound.
    """

    def __init__(self) -> None:
        super().__init__()
        self.ref = Reference(connect_delay=0.0, disconnect_delay=0.0)
        self.gone_stores: list[str] = []
        self.all_keys: list[str] = []
        self.external_keys = 0
        self.changed = True
        self.keys_may_have_gone = False

    # -- life cycle -----------------------------------------------------------------

    @initialize(
        connect_delay=st.sampled_from([0.0, 60.0, None, 0.0]),
        disconnect_delay=st.sampled_from([0.0, 30.0, None, 0.0]),
        world=st.lists(
            st.tuples(st.booleans(), st.sampled_from(STARTING_SHAPES)), min_size=1, max_size=2
        ),
    )
    def start(
        self,
        connect_delay: float | None,
        disconnect_delay: float | None,
        world: list[tuple[bool, str]],
    ) -> None:
        self.mock = mock_kms_keystores(
            connect_delay=connect_delay, disconnect_delay=disconnect_delay
        )
        self.ks = self.mock.start()
        freeze_wall_clock()
        self.ref = Reference(connect_delay, disconnect_delay)
        self.counts["sequences"] += 1
        for index, (cloudhsm, shape) in enumerate(world):
            store_id = (
                self.create_cloudhsm(NAMES[index], CLUSTERS[index], PASSWORDS[0])
                if cloudhsm
                else self.create_external(NAMES[index], ENDPOINTS[index], PATHS[0])
            )
            assert store_id is not None
            self.shape(store_id, shape)

    def shape(self, store_id: str, shape: str) -> None:
        """Bring a new store into one of the STARTING_SHAPES, step by checked step."""
        if shape == "new":
            return
        if shape == "failed":
            self.fail_next(store_id, FAILURE_CODES[0])
        self.transition("connect", store_id)
        if shape == "connecting":
            return
        self.settle_all()
        if shape in ("connected", "failed"):
            return
        if shape == "with keys":
            self.new_key(store_id)
            self.new_key(store_id)
            return
        key_id = self.new_key(store_id)  # "pending deletion": its only key
        assert key_id is not None
        self.schedule(key_id, 7)
        self.transition("disconnect", store_id)
        self.settle_all()

    def teardown(self) -> None:
        if self.mock is not None:
            self.mock.stop()

    def step(self) -> None:
        self.counts["steps"] += 1
        self.ref.catch_up()

    def observe(self) -> None:
        """Have the invariant read every store back after this step."""
        self.changed = True

    def pick_store(self, data: st.DataObject) -> str:
        return data.draw(st.sampled_from(list(self.ref.stores)), label="store")

    def pick_key(self, data: st.DataObject) -> str:
        return data.draw(st.sampled_from(list(self.ref.keys)), label="key")

    def has_stores(self) -> bool:
        return bool(self.ref.stores)

    def has_keys(self) -> bool:
        return bool(self.ref.keys)

    # -- the checked steps --------------------------------------------------------------

    def create_cloudhsm(self, name: str, cluster: str, password: str) -> str | None:
        self.step()
        self.observe()
        ref = self.ref
        identical = [
            store_id
            for store_id, store in ref.stores.items()
            if (store.type, store.name, store.cluster, store.password, store.state)
            == ("AWS_CLOUDHSM", name, cluster, password, DISCONNECTED)
        ]
        allowed: set[Outcome] = set()
        if any(store.name == name for store in ref.stores.values()):
            allowed.add("CustomKeyStoreNameInUseException")
        if any(store.cluster == cluster for store in ref.stores.values()):
            allowed.add("CloudHsmClusterInUseException")
        if identical or not allowed:
            allowed = {None}
        outcome, answer = outcome_of(
            self.kms.create_custom_key_store,
            CustomKeyStoreName=name,
            CloudHsmClusterId=cluster,
            TrustAnchorCertificate=TRUST_ANCHOR,
            KeyStorePassword=password,
        )
        check(outcome, allowed, f"create CloudHSM store {name} on {cluster}")
        if outcome is not None:
            return None
        store_id = str(answer["CustomKeyStoreId"])
        if identical:
            assert store_id == identical[0]
        else:
            assert store_id not in ref.stores
            ref.stores[store_id] = RefStore(
                "AWS_CLOUDHSM", name, cluster=cluster, password=password
            )
        return store_id

    def create_external(self, name: str, endpoint: str, path: str) -> str | None:
        self.step()
        self.observe()
        ref = self.ref
        allowed: set[Outcome] = set()
        if any(store.name == name for store in ref.stores.values()):
            allowed.add("CustomKeyStoreNameInUseException")
        if any((s.endpoint, s.path) == (endpoint, path) for s in ref.stores.values()):
            allowed.add("XksProxyUriInUseException")
        outcome, answer = outcome_of(
            self.kms.create_custom_key_store,
            CustomKeyStoreName=name,
            CustomKeyStoreType="EXTERNAL_KEY_STORE",
            XksProxyUriEndpoint=endpoint,
            XksProxyUriPath=path,
            XksProxyConnectivity="PUBLIC_ENDPOINT",
            XksProxyAuthenticationCredential={
                "AccessKeyId": "ABCDEFGHIJKLMNOPQRST",
                "RawSecretAccessKey": SECRETS[0],
            },
        )
        check(outcome, allowed or {None}, f"create external store {name} at {endpoint}{path}")
        if outcome is not None:
            return None
        store_id = str(answer["CustomKeyStoreId"])
        assert store_id not in ref.stores
        ref.stores[store_id] = RefStore("EXTERNAL_KEY_STORE", name, endpoint=endpoint, path=path)
        return store_id

    def transition(self, request: str, store_id: str) -> None:
        """ConnectCustomKeyStore or DisconnectCustomKeyStore."""
        self.step()
        self.observe()
        store = self.ref.stores[store_id]
        expected = REFERENCE[request][store.state]
        call = getattr(self.kms, f"{request}_custom_key_store")
        outcome, _ = outcome_of(call, CustomKeyStoreId=store_id)
        check(
            outcome,
            {INVALID_STATE if expected == INVALID_STATE else None},
            f"{request} a {store.state} store",
        )
        if outcome is not None or expected == SAME:
            return
        delay = self.ref.connect_delay if expected == CONNECTING else self.ref.disconnect_delay
        self.ref.begin(store, expected, delay)

    def update_store(self, store_id: str, changes: set[str], choice: int) -> None:
        self.step()
        self.observe()
        ref = self.ref
        store = ref.stores[store_id]
        params: dict[str, Any] = {"CustomKeyStoreId": store_id}
        name, endpoint, path = store.name, store.endpoint, store.path
        if "name" in changes:
            name = params["NewCustomKeyStoreName"] = NAMES[choice % len(NAMES)]
        if store.type == "AWS_CLOUDHSM":
            if changes - {"name"}:  # the other property of a CloudHSM store: its password
                params["KeyStorePassword"] = PASSWORDS[choice % len(PASSWORDS)]
        else:
            if "secret" in changes:
                params["XksProxyAuthenticationCredential"] = {
                    "AccessKeyId": "ABCDEFGHIJKLMNOPQRST",
                    "RawSecretAccessKey": SECRETS[choice % len(SECRETS)],
                }
            if "path" in changes:
                path = params["XksProxyUriPath"] = PATHS[choice % len(PATHS)]
            if "endpoint" in changes:
                endpoint = params["XksProxyUriEndpoint"] = ENDPOINTS[choice % len(ENDPOINTS)]
        changed = set(params) - {"CustomKeyStoreId"}
        row = (
            "update, connected-safe properties only"
            if changed <= CONNECTED_SAFE[store.type]
            else "update, any other property"
        )
        allowed: set[Outcome] = set()
        if REFERENCE[row][store.state] == INVALID_STATE:
            allowed.add(INVALID_STATE)
        others = [other for other_id, other in ref.stores.items() if other_id != store_id]
        if any(other.name == name for other in others):
            allowed.add("CustomKeyStoreNameInUseException")
        if store.type == "EXTERNAL_KEY_STORE" and any(
            (other.endpoint, other.path) == (endpoint, path) for other in others
        ):
            allowed.add("XksProxyUriInUseException")
        outcome, _ = outcome_of(self.kms.update_custom_key_store, **params)
        check(outcome, allowed or {None}, f"update {sorted(changed)} of a {store.state} store")
        if outcome is None:
            store.name, store.endpoint, store.path = name, endpoint, path
            store.password = params.get("KeyStorePassword", store.password)

    def delete_store(self, store_id: str) -> None:
        self.step()
        self.observe()
        ref = self.ref
        store = ref.stores[store_id]
        allowed: set[Outcome] = set()
        if REFERENCE["delete"][store.state] == INVALID_STATE:
            allowed.add(INVALID_STATE)
        if ref.keys_in(store_id):
            allowed.add("CustomKeyStoreHasCMKsException")
        outcome, _ = outcome_of(self.kms.delete_custom_key_store, CustomKeyStoreId=store_id)
        check(outcome, allowed or {None}, f"delete a {store.state} store")
        if outcome is None:
            del ref.stores[store_id]
            self.gone_stores.append(store_id)

    def settle_all(self) -> None:
        self.step()
        self.observe()
        assert self.ks is not None
        self.ks.settle()
        self.ref.settle()

    def fail_next(self, store_id: str, code: str) -> None:
        self.step()
        assert self.ks is not None
        self.ks.fail_next_connect(store_id, code)
        self.ref.stores[store_id].fail_next = code

    def key_params(self, store_id: str, origin: str) -> dict[str, Any]:
        params: dict[str, Any] = {"CustomKeyStoreId": store_id, "Origin": origin}
        if origin == "EXTERNAL_KEY_STORE":
            self.external_keys += 1
            params["XksKeyId"] = f"external-key-{self.external_keys}"
        return params

    def new_key(self, store_id: str) -> str | None:
        self.step()
        ref = self.ref
        store = ref.stores[store_id]
        cell = REFERENCE["create key"][store.state]
        expected = INVALID_STATE if cell == INVALID_STATE else None
        outcome, answer = outcome_of(self.kms.create_key, **self.key_params(store_id, store.type))
        check(outcome, {expected}, f"create a key in a {store.state} store")
        if outcome is not None:
            return None
        metadata = answer["KeyMetadata"]
        assert metadata["KeyState"] == "Enabled"
        assert metadata["CustomKeyStoreId"] == store_id
        key_id = str(metadata["KeyId"])
        ref.keys[key_id] = RefKey(store_id)
        self.all_keys.append(key_id)
        return key_id

    def schedule(self, key_id: str, days: int) -> None:
        self.step()
        ref = self.ref
        key = ref.keys[key_id]
        expected = "KMSInvalidStateException" if key.deletion_date is not None else None
        outcome, answer = outcome_of(
            self.kms.schedule_key_deletion, KeyId=key_id, PendingWindowInDays=days
        )
        check(outcome, {expected}, "schedule the deletion of a key")
        if outcome is None:
            assert answer["KeyState"] == "PendingDeletion"
            assert answer["PendingWindowInDays"] == days
            key.deletion_date = ref.now + days * DAY

    # -- rules --------------------------------------------------------------------------

    @precondition(lambda self: len(self.ref.stores) < 2)
    @rule(
        cloudhsm=st.booleans(),
        name=st.sampled_from(NAMES),
        backing=st.integers(0, 1),
        secret=st.integers(0, 1),
    )
    def create(self, cloudhsm: bool, name: str, backing: int, secret: int) -> None:
        if cloudhsm:
            self.create_cloudhsm(name, CLUSTERS[backing], PASSWORDS[secret])
        else:
            self.create_external(name, ENDPOINTS[backing], PATHS[secret])

    @precondition(has_stores)
    @rule(data=st.data())
    def connect(self, data: st.DataObject) -> None:
        self.transition("connect", self.pick_store(data))

    @precondition(has_stores)
    @rule(data=st.data())
    def disconnect(self, data: st.DataObject) -> None:
        self.transition("disconnect", self.pick_store(data))

    @precondition(has_stores)
    @rule(
        data=st.data(),
        changes=st.sets(st.sampled_from(["name", "secret", "path", "endpoint"]), min_size=1),
        choice=st.integers(0, 2),
    )
    def update(self, data: st.DataObject, changes: set[str], choice: int) -> None:
        self.update_store(self.pick_store(data), changes, choice)

    @precondition(has_stores)
    @rule(data=st.data())
    def delete(self, data: st.DataObject) -> None:
        self.delete_store(self.pick_store(data))

    @precondition(
        lambda self: any(s.state in (CONNECTING, DISCONNECTING) for s in self.ref.stores.values())
    )
    @rule()
    def settle(self) -> None:
        self.settle_all()

    @rule(seconds=st.sampled_from([1, 29, 30, 31, 59, 60, 61, 7 * DAY, 8 * DAY, 31 * DAY]))
    def advance(self, seconds: int) -> None:
        self.step()
        self.observe()
        assert self.ks is not None
        self.ks.advance(seconds)
        self.ref.now += seconds
        self.ref.catch_up()
        self.keys_may_have_gone = True

    @precondition(has_stores)
    @rule(data=st.data(), code=st.sampled_from(FAILURE_CODES))
    def fail_next_connect(self, data: st.DataObject, code: str) -> None:
        self.fail_next(self.pick_store(data), code)

    @precondition(has_stores)
    @rule(data=st.data())
    def create_key(self, data: st.DataObject) -> None:
        self.new_key(self.pick_store(data))

    @precondition(has_keys)
    @rule(data=st.data(), days=st.sampled_from([7, 8, 30]))
    def schedule_deletion(self, data: st.DataObject, days: int) -> None:
        self.schedule(self.pick_key(data), days)

    @precondition(has_keys)
    @rule(data=st.data())
    def describe_key(self, data: st.DataObject) -> None:
        key_id = self.pick_key(data)
        self.step()
        outcome, answer = outcome_of(self.kms.describe_key, KeyId=key_id)
        check(outcome, {None}, "describe a key")
        assert answer["KeyMetadata"]["KeyState"] == self.ref.key_state(self.ref.keys[key_id])

    # -- what is gone stays gone ----------------------------------------------------------

    @precondition(lambda self: bool(self.gone_stores))
    @rule(data=st.data(), request=st.sampled_from(DELETED_STORE_REQUESTS))
    def use_a_deleted_store(self, data: st.DataObject, request: str) -> None:
        store_id = data.draw(st.sampled_from(self.gone_stores), label="deleted store")
        self.step()
        self.observe()
        assert self.ks is not None
        if request == "fail_next_connect":
            with pytest.raises(LookupError):
                self.ks.fail_next_connect(store_id, FAILURE_CODES[0])
            return
        params: dict[str, Any] = {"CustomKeyStoreId": store_id}
        if request == "update_custom_key_store":
            params["NewCustomKeyStoreName"] = NAMES[0]
        if request == "create_key":
            params = self.key_params(store_id, "AWS_CLOUDHSM")
        outcome, _ = outcome_of(getattr(self.kms, request), **params)
        check(outcome, {STORE_NOT_FOUND}, f"{request} on a deleted store")

    @precondition(has_keys)
    @rule(data=st.data())
    def create_grant(self, data: st.DataObject) -> None:
        key_id = self.pick_key(data)
        self.step()
        key = self.ref.keys[key_id]
        pending = self.ref.key_state(key) == "PendingDeletion"
        outcome, _ = outcome_of(
            self.kms.create_grant,
            KeyId=key_id,
            GranteePrincipal=GRANTEE,
            RetiringPrincipal=GRANTEE,
            Operations=["Encrypt", "Decrypt"],
        )
        check(outcome, {"KMSInvalidStateException" if pending else None}, "create a grant")
        key.grants += outcome is None

    @precondition(has_keys)
    @rule(data=st.data())
    def list_grants(self, data: st.DataObject) -> None:
        key_id = self.pick_key(data)
        self.step()
        outcome, answer = outcome_of(self.kms.list_grants, KeyId=key_id)
        check(outcome, {None}, "list the grants of a key")
        assert len(answer["Grants"]) == self.ref.keys[key_id].grants

    @precondition(lambda self: len(self.all_keys) > len(self.ref.keys))
    @rule(
        data=st.data(),
        request=st.sampled_from(["describe_key", "schedule_key_deletion", "list_grants"]),
    )
    def use_a_deleted_key(self, data: st.DataObject, request: str) -> None:
        gone = [key_id for key_id in self.all_keys if key_id not in self.ref.keys]
        key_id = data.draw(st.sampled_from(gone), label="deleted key")
        self.step()
        outcome, _ = outcome_of(getattr(self.kms, request), KeyId=key_id)
        check(outcome, {"NotFoundException"}, f"{request} on a deleted key")

    # -- after every step ---------------------------------------------------------------

    @invariant()
    def kms_shows_what_the_reference_predicts(self) -> None:
        if self.ks is None or not self.changed:
            return  # key-only steps leave the stores as the last check saw them
        self.changed = False
        ref = self.ref
        ref.catch_up()
        seen = {
            entry["CustomKeyStoreId"]: (
                entry["CustomKeyStoreName"],
                entry["ConnectionState"],
                entry.get("ConnectionErrorCode"),
            )
            for entry in self.kms.describe_custom_key_stores()["CustomKeyStores"]
        }
        expected = {
            store_id: (store.name, store.state, store.error_code if store.state == FAILED else None)
            for store_id, store in ref.stores.items()
        }
        assert seen == expected
        if self.keys_may_have_gone:  # the clock moved: keys past their date are gone
            self.keys_may_have_gone = False
            listed = {entry["KeyId"] for entry in self.kms.list_keys()["Keys"]}
            assert listed == set(ref.keys)
            retirable = self.kms.list_retirable_grants(RetiringPrincipal=GRANTEE, Limit=100)
            assert len(retirable["Grants"]) == sum(key.grants for key in ref.keys.values())


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_random_sequences_match_the_reference_model(
    chunk: int, report_count: Callable[[str, int], None]
) -> None:
    run_chunk(
        KeyStoreMachine,
        chunk,
        sequences=SEQUENCES // CHUNKS,
        steps=STEPS_PER_SEQUENCE,
        report=report_count,
        label="state machine",
    )
    report_count("state machine: divergences", 0)
