"""Compiling the Python source that validation and encoding write from botocore's model.

Every request of an operation runs its checks and its encoder, so both are
written out once, on the operation's first request, as straight-line Python
with the model's names, limits and types in place, and compiled here.
"""

from __future__ import annotations

from typing import Any

__all__ = ["compile_source"]


def compile_source(lines: list[str], name: str, namespace: dict[str, Any], label: str) -> Any:
    """Compile ``lines`` (source written from the model) and return the function ``name``.

    ``namespace`` holds what the source refers to; ``label`` names the code
    in tracebacks, such as ``<kmsmock validator EncryptRequest>``.
    """
    code = compile("\n".join(lines), label, "exec")
    exec(code, namespace)  # the source was written by kmsmock, from botocore's model
    return namespace[name]
