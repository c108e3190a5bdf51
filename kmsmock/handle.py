"""The handle a mock activation returns: inspect and steer the simulated KMS."""

from __future__ import annotations

from .accounts import FAKE_SECRET_ACCESS_KEY, access_key_for
from .calls import Call
from .protocol.model import connection_error_codes
from .simulation import Simulation

__all__ = ["KmsKeystores"]


class KmsKeystores:
    """Controls the simulated KMS of an active ``mock_kms_keystores``.

    Every nested activation's handle drives the same simulation. A handle
    stays readable after its mock stops (``calls`` still lists what happened).
    """

    def __init__(self, simulation: Simulation) -> None:
        self._simulation = simulation

    def __repr__(self) -> str:
        options = self._simulation.options
        return f"<KmsKeystores account_id={options.account_id!r} region={options.region!r}>"

    @property
    def account_id(self) -> str:
        """The default account: unsigned requests and unknown access keys act as it."""
        return self._simulation.options.account_id

    @property
    def region(self) -> str:
        """The default region of the handle's helpers."""
        return self._simulation.default_region

    @property
    def strict(self) -> bool:
        """Whether only what the test arranged exists (see the ``strict`` option)."""
        return self._simulation.options.strict

    def credentials(self, account_id: str | None = None) -> dict[str, str]:
        """Keyword arguments for ``boto3.client``/``boto3.Session`` that act as ``account_id``.

        ``boto3.client("kms", **ks.credentials("111122223333"))`` makes a
        client whose requests act as account 111122223333. The default is the
        mock's own account. The credentials are fake and work only with kmsmock.
        """
        return {
            "aws_access_key_id": access_key_for(account_id or self.account_id),
            "aws_secret_access_key": FAKE_SECRET_ACCESS_KEY,
        }

    def fail_next_connect(self, custom_key_store_id: str, connection_error_code: str) -> None:
        """Make the store's next connection attempt end FAILED with ``connection_error_code``.

        The code is one of the ConnectionErrorCode values of botocore's model,
        such as ``"INVALID_CREDENTIALS"`` or ``"XKS_PROXY_TIMED_OUT"``. The
        store must exist; the arrangement is used up by one attempt.
        """
        codes = connection_error_codes()
        if connection_error_code not in codes:
            raise ValueError(
                f"{connection_error_code!r} is not a ConnectionErrorCode; KMS uses: "
                + ", ".join(codes)
            )
        backend = self._simulation.backend
        with backend.lock:
            if backend.find_store(custom_key_store_id) is None:
                raise LookupError(f"no custom key store {custom_key_store_id!r} exists")
            backend.fail_next_connect(custom_key_store_id, connection_error_code)

    def settle(self) -> None:
        """Complete every pending CONNECTING or DISCONNECTING now, whatever its delay."""
        backend = self._simulation.backend
        with backend.lock:
            backend.settle()

    def advance(self, seconds: float) -> None:
        """Move the mock clock forward by ``seconds`` and complete what became due."""
        backend = self._simulation.backend
        with backend.lock:
            backend.advance(seconds)

    def now(self) -> float:
        """The mock clock's reading, in seconds since the epoch."""
        return self._simulation.backend.clock.now()

    @property
    def calls(self) -> list[Call]:
        """Every call answered so far, oldest first, with secrets redacted."""
        return self._simulation.calls()

    def reset(self) -> None:
        """Clear stores, keys, arrangements, faults and calls; the clock offset goes back to 0."""
        self._simulation.reset()
