"""Custom key store connection states, and every rule that moves between them.

The whole state machine is the table :data:`TRANSITIONS` below: one row per
request a caller can make of a store, one column per ConnectionState. A cell
holds the state the store is in right after the request, or ``REJECT`` when
KMS answers CustomKeyStoreInvalidStateException. Timer-driven completions
(CONNECTING and DISCONNECTING running out) are :data:`COMPLETIONS`.

docs/state-rules.md shows the same table; a test keeps the two in step.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import Final

__all__ = [
    "COMPLETIONS",
    "REJECT",
    "TRANSITIONS",
    "Action",
    "ConnectionState",
    "allowed_states",
    "next_state",
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
    DISCONNECTING: DISCONNECTED,  # and the ConnectionErrorCode is cleared
}
"""What a transitional state becomes when its delay runs out or ``settle()`` is called."""


def next_state(action: Action, state: ConnectionState) -> ConnectionState | None:
    """Return the state after ``action`` in ``state``, or None when KMS rejects it."""
    cell = TRANSITIONS[action][state]
    return None if cell is REJECT else cell  # type: ignore[return-value]


def allowed_states(action: Action) -> tuple[ConnectionState, ...]:
    """The states in which ``action`` is valid, in table order."""
    return tuple(state for state, cell in TRANSITIONS[action].items() if cell is not REJECT)
