"""kmsmock's own rule tables, written out as Markdown for its documentation.

The documentation shows tables the code decides with: the connection rules,
the key-state rules, the supported operations, the server's control API, and
what KMS answers after each world change (played through a mock by
:mod:`kmsmock.world_changes`).
Each is rendered here from the code's own table, never copied by hand:

- the docs site's build (``docs/hooks.py``) puts a fresh rendering in every
  block a page marks ``<!-- generated: NAME -->`` ... ``<!-- /generated -->``;
- a test checks that the copy committed in each page is the rendering, so
  the pages read on GitHub cannot drift either.

Nothing here is imported by kmsmock itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable

__all__ = ["RENDERINGS", "regenerate", "render"]

_BLOCK = re.compile(
    r"(?P<open><!-- generated: (?P<name>[a-z-]+) -->)\n(?:.*?\n)??<!-- /generated -->",
    re.DOTALL,
)


def connection_rules() -> str:
    """The ConnectionState rule table: the state after each request, or ✗ for a refusal."""
    from .domain.connection import REJECT, TRANSITIONS

    states = list(next(iter(TRANSITIONS.values())))
    lines = [
        "| Request | " + " | ".join(state.value for state in states) + " |",
        "|---|" + "---|" * len(states),
    ]
    for action, row in TRANSITIONS.items():
        cells = ["✗" if row[s] is REJECT else row[s].value for s in states]  # type: ignore[union-attr]
        lines.append(f"| {action.value} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def connection_diagram() -> str:
    """The connection state machine as a Mermaid state diagram, from the same table."""
    from .domain.connection import COMPLETIONS, REJECT, TRANSITIONS, Action, ConnectionState

    shown = {Action.CONNECT: "connect", Action.DISCONNECT: "disconnect"}
    lines = ["```mermaid", "stateDiagram-v2", "    [*] --> DISCONNECTED: create"]
    for action, label in shown.items():
        for before, after in TRANSITIONS[action].items():
            if after is not REJECT and after is not before:
                lines.append(f"    {before.value} --> {after.value}: {label}")  # type: ignore[union-attr]
    for before, after in COMPLETIONS.items():
        lines.append(f"    {before.value} --> {after.value}: delay runs out, or settle()")
    connecting, failed = ConnectionState.CONNECTING.value, ConnectionState.FAILED.value
    lines.append(f"    {connecting} --> {failed}: the attempt fails (ConnectionErrorCode)")
    if TRANSITIONS[Action.DELETE][ConnectionState.DISCONNECTED] is not REJECT:
        lines.append("    DISCONNECTED --> [*]: delete")
    lines.append("```")
    return "\n".join(lines)


def key_state_rules() -> str:
    """The key-state table: what each kind of operation does in each key state."""
    from .domain.key_states import KEY_RULES, Outcome

    states = list(next(iter(KEY_RULES.values())))
    lines = [
        "| Operations | " + " | ".join(state.value for state in states) + " |",
        "|---|" + "---|" * len(states),
    ]
    for use, row in KEY_RULES.items():
        cells = ["✓" if row[s] is Outcome.OK else row[s].value for s in states]
        lines.append(f"| {use.value} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def operations() -> str:
    """Every operation of botocore's KMS model, and whether kmsmock simulates it."""
    from .api.operations import HANDLERS
    from .model import service_model

    lines = ["| Operation | Simulated | Module |", "|---|---|---|"]
    for name in sorted(service_model().operation_names):
        handler = HANDLERS.get(name)
        if handler is None:
            lines.append(f"| {name} | no | |")
        else:
            module = handler.__module__.rsplit(".", 1)[-1]
            lines.append(f"| {name} | yes | `{module}` |")
    return "\n".join(lines)


def control_api() -> str:
    """The server's control API, route by route, from its OpenAPI document."""
    from .server.schema import openapi_document

    lines = ["| Route | Body | Does |", "|---|---|---|"]
    for path, routes in openapi_document()["paths"].items():
        for method, route in routes.items():
            schema = route.get("requestBody", {}).get("content", {}).get("application/json", {})
            properties = schema.get("schema", {}).get("properties", {})
            required = schema.get("schema", {}).get("required", [])
            optional = [name for name in properties if name not in required]
            body = ", ".join(f"`{name}`" for name in required)
            if optional:
                body += (
                    ("; " if body else "")
                    + "optional: "
                    + ", ".join(f"`{name}`" for name in optional)
                )
            lines.append(f"| `{method.upper()} {path}` | {body} | {route['summary']} |")
    return "\n".join(lines)


def world_connect() -> str:
    """ConnectCustomKeyStore after each world change, as played through a mock."""
    from .world_changes import connect_table

    return connect_table()


def world_create() -> str:
    """CreateCustomKeyStore after each world change, as played through a mock."""
    from .world_changes import create_table

    return create_table()


RENDERINGS: dict[str, Callable[[], str]] = {
    "connection-rules": connection_rules,
    "connection-diagram": connection_diagram,
    "key-state-rules": key_state_rules,
    "operations": operations,
    "control-api": control_api,
    "world-connect": world_connect,
    "world-create": world_create,
}
"""Every rendering a page may ask for, by the name its ``<!-- generated: NAME -->`` gives."""


def render(name: str) -> str:
    """The Markdown a ``<!-- generated: NAME -->`` block holds."""
    try:
        rendering = RENDERINGS[name]
    except KeyError:
        raise KeyError(
            f"no generated block named {name!r}; the names are: {', '.join(RENDERINGS)}"
        ) from None
    return rendering()


def regenerate(markdown: str) -> str:
    """``markdown`` with every generated block's content rendered afresh."""
    return _BLOCK.sub(
        lambda match: f"{match['open']}\n{render(match['name'])}\n<!-- /generated -->", markdown
    )
