"""``kmsmock serve --state FILE``: the simulated KMS kept in a file across restarts.

After every request, and before its answer is sent, the state it left is
written to the file if it changed. A write is atomic: the new state goes to a
temporary file beside it, which is flushed to disk and then renamed over the
old one (and the directory is flushed too), so a crash at any moment leaves
either the previous state or the new one, never a torn file.

The file holds secrets (custom key store passwords, XKS proxy credentials,
key material, asymmetric keys' private keys as PKCS #8 DER, the private
halves of import wrapping keys). It is created readable and writable by its
owner only. An asymmetric key whose key pair was never used has none yet: it
is made when first needed, after a restart too.

A file that cannot be read, is not kmsmock's, or comes from an incompatible
version stops the server at start with :class:`StateFileError`, and is
never overwritten. The call log is not kept; everything else is: accounts and
regions with their stores, keys (with their key materials, import parameters,
rotation schedule, last use and related multi-Region keys), aliases and grants,
the simulated clusters and
proxies, the clock's offset, pending connections, arranged failures and
injected errors.

What the file holds is the state document of :mod:`kmsmock.server.state_dump`,
read back by :mod:`kmsmock.server.state_load`.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from ..faults import Fault
from ..simulation import Simulation
from .state_dump import FORMAT, dump
from .state_load import fill

__all__ = ["FORMAT", "StateFileError", "attach", "dump", "load", "write_atomically"]


class StateFileError(Exception):
    """A state file kmsmock cannot use; it is left as it is."""


def attach(server: Any, path: str | Path) -> None:
    """Load ``path`` into the server's simulation (if it exists) and keep it up to date."""
    path = Path(path)
    if path.exists():
        try:
            document = json.loads(path.read_text())
        except (OSError, ValueError, UnicodeDecodeError) as error:
            raise StateFileError(
                f"{path} cannot be read as a kmsmock state file: {error}"
            ) from None
        load(server.simulation, document, path)
    last = [json.dumps(dump(server.simulation), sort_keys=True)]
    if not path.exists():
        try:
            write_atomically(path, last[0])
        except OSError as error:
            raise StateFileError(f"{path} cannot be written: {error}") from None

    def persist() -> None:
        with server.simulation.kms.lock:
            text = json.dumps(dump(server.simulation), sort_keys=True)
        if text != last[0]:
            write_atomically(path, text)
            last[0] = text

    server.persist = persist


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` so that a crash leaves the old file or the new one."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or ".")
    try:
        with os.fdopen(handle, "w") as file:  # mkstemp makes it readable by its owner only
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    directory = os.open(path.parent or ".", os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def load(simulation: Simulation, document: Any, path: Path) -> None:
    """Fill an empty simulation from a state document, or raise :class:`StateFileError`."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        found = document.get("format") if isinstance(document, dict) else type(document).__name__
        raise StateFileError(
            f"{path} is not a state file this kmsmock can read (format {found!r}; it reads "
            f"{FORMAT!r}); it was left as it is"
        )
    try:
        fill(simulation.kms, document)
        for operation, queue in document["faults"].items():
            for code, message, remaining in queue:
                simulation.faults.add(operation, Fault(code, message, remaining))
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        simulation.reset()
        raise StateFileError(
            f"{path} is damaged and cannot be loaded ({type(error).__name__}: {error}); it was "
            "left as it is"
        ) from None
