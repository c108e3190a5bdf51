"""Fake AWS credentials in the environment while the mock is active; the real ones after."""

from __future__ import annotations

import os
import sys

from .accounts import FAKE_SECRET_ACCESS_KEY, access_key_for, is_mock_access_key
from .options import Options

__all__ = ["CREDENTIAL_VARIABLES", "EnvironmentPatch"]

CREDENTIAL_VARIABLES = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
)
"""Environment variables holding AWS credentials, which an active mock keeps from botocore."""


class EnvironmentPatch:
    """Swaps the credential variables for fake ones and puts them back.

    ``AWS_DEFAULT_REGION`` is set to the mock's region only if it was unset.
    """

    def __init__(self, options: Options) -> None:
        assert options.region is not None
        self._fake = {
            "AWS_ACCESS_KEY_ID": access_key_for(options.account_id),
            "AWS_SECRET_ACCESS_KEY": FAKE_SECRET_ACCESS_KEY,
        }
        self._region = options.region
        self._saved: dict[str, str | None] = {}

    def apply(self) -> None:
        """Save the real values and install the fake ones."""
        names = (*CREDENTIAL_VARIABLES, "AWS_DEFAULT_REGION")
        self._saved = {name: os.environ.get(name) for name in names}
        for name in CREDENTIAL_VARIABLES:
            os.environ.pop(name, None)
        os.environ.update(self._fake)
        if not self._saved["AWS_DEFAULT_REGION"]:
            os.environ["AWS_DEFAULT_REGION"] = self._region

    def restore(self) -> None:
        """Put back exactly what was there before :meth:`apply`."""
        for name, value in self._saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._saved = {}
        _forget_cached_fake_credentials()


def _forget_cached_fake_credentials() -> None:
    """Make boto3's default session forget fake credentials it resolved while mocked.

    A botocore session resolves credentials once and keeps them. If boto3's
    default session first resolved them while the mock was active, it would
    keep signing with the fake key after the mock stopped; clearing the cache
    lets it find the real credentials again. Nothing else is touched.
    """
    boto3 = sys.modules.get("boto3")
    session = getattr(getattr(boto3, "DEFAULT_SESSION", None), "_session", None)
    credentials = getattr(session, "_credentials", None)
    access_key = vars(credentials).get("access_key") if hasattr(credentials, "__dict__") else None
    if is_mock_access_key(access_key):
        session._credentials = None  # type: ignore[union-attr]
