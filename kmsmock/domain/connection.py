"""The custom key store connection state machine: every rule of it, in one place.

The whole machine is the table :data:`TRANSITIONS`: one row per request a
caller can make of a store, one column per ConnectionState. A cell holds the
state the store is in right after the request, or ``REJECT`` when KMS answers
CustomKeyStoreInvalidStateException. The rest follows from the table:

- :func:`gate` turns a refused cell into AWS's exception;
- a cell that keeps the state (connecting a store that is connecting or
  connected already) changes nothing;
- :data:`COMPLETIONS` says what a transitional state becomes, and
  :func:`complete` applies it (CONNECTING may end FAILED instead, with a
  ConnectionErrorCode);
- :data:`LIVE_PROPERTIES` decides which row an update falls in;
- :func:`keys_usable` is the row of the cryptographic operations.

A ConnectionErrorCode belongs to FAILED: a store in any other state has none.
docs/state-rules.md shows the same table; a test keeps the two in step.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import Enum
from typing import Final, Protocol

from .aws_error import AwsError

__all__ = [
    "COMPLETIONS",
    "LIVE_PROPERTIES",
    "REJECT",
    "TRANSITIONS",
    "Action",
    "Connectable",
    "ConnectionState",
    "allowed_states",
    "complete",
    "enter",
    "gate",
    "keys_usable",
    "update_action",
]


class ConnectionState(str, Enum):
    """The ConnectionState values of the KMS model."""

    DISCONNECTED = "DISCONNECTED"
    CONNECTING = "CONNECTING"
    CONNECTED = "CONNECTED"
    DISCONNECTING = "DISCONNECTING"
    FAILED = "FAILED"


class Action(str, Enum):
    """What a caller asks of a custom key store, named as in the rule table."""

    CONNECT = "ConnectCustomKeyStore"
    DISCONNECT = "DisconnectCustomKeyStore"
    UPDATE_LIVE = "UpdateCustomKeyStore, only properties that may change while connected"
    UPDATE = "UpdateCustomKeyStore, any other property"
    DELETE = "DeleteCustomKeyStore"
    CREATE_KEY = "CreateKey in the store"
    USE_KEYS = "Cryptographic operations with its keys, GenerateRandom in a CloudHSM store"


class Connectable(Protocol):
    """What the state machine reads and writes of a custom key store."""

    @property
    def id(self) -> str:
        """The store's id, for messages."""
        ...

    state: ConnectionState
    error_code: str | None


class _Reject:
    __slots__ = ()

    def __repr__(self) -> str:
        return "REJECT"


REJECT: Final = _Reject()
"""A cell of :data:`TRANSITIONS`: KMS answers CustomKeyStoreInvalidStateException."""

_ = REJECT
DISCONNECTED = ConnectionState.DISCONNECTED
CONNECTING = ConnectionState.CONNECTING
CONNECTED = ConnectionState.CONNECTED
DISCONNECTING = ConnectionState.DISCONNECTING
FAILED = ConnectionState.FAILED

_COLUMNS: Final = (DISCONNECTED, CONNECTING, CONNECTED, DISCONNECTING, FAILED)


def _row(*cells: ConnectionState | _Reject) -> Mapping[ConnectionState, ConnectionState | _Reject]:
    return dict(zip(_COLUMNS, cells, strict=True))


TRANSITIONS: Final[Mapping[Action, Mapping[ConnectionState, ConnectionState | _Reject]]] = {
    #                    DISCONNECTED  CONNECTING     CONNECTED      DISCONNECTING  FAILED
    Action.CONNECT:     _row(CONNECTING,   CONNECTING,    CONNECTED,     _,  _),
    Action.DISCONNECT:  _row(_,            DISCONNECTING, DISCONNECTING, _,  DISCONNECTING),
    Action.UPDATE_LIVE: _row(DISCONNECTED, _,             CONNECTED,     _,  _),
    Action.UPDATE:      _row(DISCONNECTED, _,             _,             _,  _),
    Action.DELETE:      _row(DISCONNECTED, _,             _,             _,  _),
    Action.CREATE_KEY:  _row(_,            _,             CONNECTED,     _,  _),
    Action.USE_KEYS:    _row(_,            _,             CONNECTED,     _,  _),
}  # fmt: skip
"""State after each request, by the state before it (``REJECT``: the request fails)."""

COMPLETIONS: Final[Mapping[ConnectionState, ConnectionState]] = {
    CONNECTING: CONNECTED,  # or FAILED, with a ConnectionErrorCode, when the attempt fails
    DISCONNECTING: DISCONNECTED,
}
"""What a transitional state becomes when its delay runs out or ``settle()`` is called."""

LIVE_PROPERTIES: Final = frozenset({"name", "uri_path", "credential"})
"""What UpdateCustomKeyStore may change while the store is CONNECTED: its name, and an
external key store's proxy URI path and authentication credential (UpdateCustomKeyStore's
reference text). Every other property needs DISCONNECTED."""


def allowed_states(action: Action) -> tuple[ConnectionState, ...]:
    """The states in which ``action`` is valid, in table order."""
    return tuple(state for state, cell in TRANSITIONS[action].items() if cell is not REJECT)


_REQUESTS: Final[Mapping[Action, str]] = {
    Action.CONNECT: "ConnectCustomKeyStore",
    Action.DISCONNECT: "DisconnectCustomKeyStore",
    Action.UPDATE_LIVE: "UpdateCustomKeyStore",
    Action.UPDATE: "UpdateCustomKeyStore",
    Action.DELETE: "DeleteCustomKeyStore",
    Action.CREATE_KEY: "CreateKey in this custom key store",
    Action.USE_KEYS: "This operation with a key in this custom key store",
}
"""How the refusal message names each request (the table's labels say more)."""


def gate(store: Connectable, action: Action, request: str | None = None) -> ConnectionState:
    """The state ``action`` leads ``store`` to, or CustomKeyStoreInvalidStateException.

    ``request`` names what was asked in the refusal (by default, the operation).
    """
    after = TRANSITIONS[action][store.state]
    if isinstance(after, _Reject):
        valid = " or ".join(state.value for state in allowed_states(action))
        raise AwsError(
            "CustomKeyStoreInvalidStateException",
            f"Custom key store '{store.id}' has ConnectionState {store.state.value}. "
            f"{request or _REQUESTS[action]} is valid only when the ConnectionState is {valid}.",
        )
    return after


def enter(store: Connectable, state: ConnectionState, error_code: str | None = None) -> None:
    """Put ``store`` in ``state``; only FAILED carries a ConnectionErrorCode."""
    store.state = state
    store.error_code = error_code if state is FAILED else None


def complete(store: Connectable, failure: str | None) -> None:
    """End a CONNECTING or DISCONNECTING store's transition.

    A connection attempt ends CONNECTED, or FAILED with ``failure``, the
    ConnectionErrorCode of the first check it failed.
    """
    if store.state is CONNECTING and failure is not None:
        enter(store, FAILED, failure)
    else:
        enter(store, COMPLETIONS[store.state])


def update_action(changed: Iterable[str]) -> Action:
    """The row of an UpdateCustomKeyStore that changes these properties."""
    return Action.UPDATE_LIVE if LIVE_PROPERTIES.issuperset(changed) else Action.UPDATE


def keys_usable(state: ConnectionState) -> bool:
    """Whether the keys of a store in ``state`` can be used (the row of the crypto operations)."""
    return TRANSITIONS[Action.USE_KEYS][state] is not REJECT
