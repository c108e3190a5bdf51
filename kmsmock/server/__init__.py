"""Server mode: the simulated KMS over HTTP, for the AWS CLI and every other SDK.

``kmsmock serve`` (or ``python -m kmsmock serve``) runs it from a shell;
:class:`KmsServer` runs it from Python, in a thread or a subprocess. KMS
answers at ``/`` in its JSON 1.1 protocol; the control API, which does what
the Python handle does, answers under ``/_kmsmock/`` (see ``openapi.json``).
"""

from __future__ import annotations

from .runner import KmsServer

__all__ = ["KmsServer"]
