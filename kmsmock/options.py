"""The options of a mock activation, checked once when the mock is created."""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, fields, replace

from .accounts import DEFAULT_ACCOUNT_ID, check_account_id
from .errors import OptionsConflictError

__all__ = ["DEFAULT_REGION", "REGION_FORM", "Options", "check_region"]

DEFAULT_REGION = "us-east-1"
"""The Region a mock serves unless told otherwise."""
REGION_FORM = re.compile(r"[a-z]{2}(-[a-z]+)+-[0-9]+")
"""What an AWS region name looks like (to match in full)."""


def check_region(region: object) -> str:
    """Return ``region`` if it is an AWS region name such as ``us-east-1``; else raise."""
    if not isinstance(region, str) or REGION_FORM.fullmatch(region) is None:
        raise ValueError(f"region must be an AWS region name such as 'us-east-1', not {region!r}")
    return region


def _check_delay(name: str, value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} is a number of seconds or None, not {value!r}")
    if value < 0 or math.isnan(value) or math.isinf(value):
        raise ValueError(f"{name} must be a finite number of seconds >= 0, not {value!r}")
    return float(value)


@dataclass(frozen=True, slots=True)
class Options:
    """What a ``mock_kms_keystores(...)`` call asked for.

    ``region`` None means "AWS_DEFAULT_REGION, else us-east-1", resolved when
    the mock starts. A delay of None waits for ``settle()``.
    ``real_retry_sleep=True`` makes botocore's backoff before retrying one
    of kmsmock's answers sleep for real, instead of moving the mock clock.
    """

    account_id: str = DEFAULT_ACCOUNT_ID
    region: str | None = None
    strict: bool = False
    connect_delay: float | None = 0.0
    disconnect_delay: float | None = 0.0
    real_retry_sleep: bool = False

    def __post_init__(self) -> None:
        check_account_id(self.account_id)
        if self.region is not None:
            check_region(self.region)
        for name in ("strict", "real_retry_sleep"):
            if not isinstance(getattr(self, name), bool):
                raise TypeError(f"{name} is True or False, not {getattr(self, name)!r}")
        object.__setattr__(self, "connect_delay", _check_delay("connect_delay", self.connect_delay))
        object.__setattr__(
            self, "disconnect_delay", _check_delay("disconnect_delay", self.disconnect_delay)
        )

    def resolved(self) -> Options:
        """These options with ``region`` filled in from the environment when it was None."""
        if self.region is not None:
            return self
        region = os.environ.get("AWS_DEFAULT_REGION") or DEFAULT_REGION
        if REGION_FORM.fullmatch(region) is None:
            region = DEFAULT_REGION
        return replace(self, region=region)

    def check_joinable(self, active: Options, explicit: frozenset[str]) -> None:
        """Raise OptionsConflictError if an option given explicitly differs from ``active``."""
        conflicts = [
            f"{field.name}={getattr(self, field.name)!r} (the active mock has "
            f"{getattr(active, field.name)!r})"
            for field in fields(self)
            if field.name in explicit and getattr(self, field.name) != getattr(active, field.name)
        ]
        if conflicts:
            raise OptionsConflictError(
                "a nested mock_kms_keystores joins the one already active, so it cannot change "
                "its options; conflicting: " + ", ".join(conflicts)
            )
