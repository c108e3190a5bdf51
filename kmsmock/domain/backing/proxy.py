"""A simulated external key store proxy, and the external key manager behind it."""

from __future__ import annotations

import base64
import os
import secrets
import string
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..randomness import random_bytes
from ..secret import Secret
from ..stores import XksCredential
from .strict import StrictAttributes

__all__ = ["ExternalKey", "XksProxy", "new_credential"]


@dataclass(eq=False)
class ExternalKey(StrictAttributes):
    """A key in the external key manager behind an XKS proxy."""

    id: str
    spec: str = "AES_256"
    usages: tuple[str, ...] = ("ENCRYPT", "DECRYPT")
    enabled: bool = True
    material: bytes = field(default_factory=lambda: random_bytes(32), repr=False)

    def __post_init__(self) -> None:
        self._settled = True

    def problem(self) -> str | None:
        """Why KMS would refuse this key for a KMS key, or None when it is usable."""
        if self.spec != "AES_256":
            return (
                "The key spec of the external key must be AES_256. The key spec of specified "
                f"external key is {self.spec}."
            )
        if not self.enabled:
            return (
                "The status of the external key must be ENABLED. The status of specified "
                "external key is DISABLED."
            )
        if not {"ENCRYPT", "DECRYPT"} <= set(self.usages):
            return (
                "The key usage of the external key must include ENCRYPT and DECRYPT. The key "
                f"use of specified external key is {list(self.usages)}."
            )
        return None


def new_credential() -> XksCredential:
    """A fresh proxy authentication credential, of the form KMS accepts.

    The access key id is 20 upper-case base32 characters; the secret is 44
    characters of standard base64 (the model's ``RawSecretAccessKey`` pattern
    allows no ``-`` or ``_``).
    """
    access_key_id = "".join(secrets.choice(string.ascii_uppercase + "234567") for _ in range(20))
    return XksCredential(access_key_id, Secret(base64.b64encode(os.urandom(33)).decode()))


class XksProxy(StrictAttributes):
    """A simulated external key store proxy and the external key manager behind it.

    Attributes (all may be changed at any time):

    - ``uri_endpoint``, ``uri_path``: where it answers.
    - ``credentials``: the authentication credentials it accepts (two during a rotation).
    - ``reachable``: False when KMS cannot open a connection to it.
    - ``tls_valid``: False when its TLS configuration or certificate is wrong.
    - ``well_formed``: False when its answers cannot be interpreted.
    - ``responds_in_time``: False when it answers after KMS's 250 ms timeout.
    - ``access_denied``: True when its authorization rules deny KMS.
    - ``key_manager_health``: the healthStatus of each external key manager
      instance (``"ACTIVE"``, ``"DEGRADED"`` or ``"UNAVAILABLE"``).
    - ``vpc_endpoint_service_name``, ``vpc_endpoint_service_exists``,
      ``vpc_endpoint_service_valid``: its VPC endpoint service, for
      VPC_ENDPOINT_SERVICE connectivity.
    - ``keys``: its external keys, by id (see :meth:`add_key`).
    """

    DEFAULT_URI_PATH = "/kms/xks/v1"
    """The URI path a proxy answers at unless told otherwise (the specification's example)."""

    def __init__(
        self,
        uri_endpoint: str,
        uri_path: str = DEFAULT_URI_PATH,
        *,
        account_id: str,
        region: str,
        credential: XksCredential | None = None,
        reachable: bool = True,
        tls_valid: bool = True,
        well_formed: bool = True,
        responds_in_time: bool = True,
        access_denied: bool = False,
        key_manager_health: Sequence[str] = ("ACTIVE",),
        vpc_endpoint_service_name: str | None = None,
        vpc_endpoint_service_exists: bool = True,
        vpc_endpoint_service_valid: bool = True,
        arranged: bool = True,
    ) -> None:
        self.uri_endpoint = uri_endpoint
        self.uri_path = uri_path
        self.account_id = account_id
        self.region = region
        self.credentials: list[XksCredential] = [credential or new_credential()]
        self.reachable = reachable
        self.tls_valid = tls_valid
        self.well_formed = well_formed
        self.responds_in_time = responds_in_time
        self.access_denied = access_denied
        self.key_manager_health = list(key_manager_health)
        self.vpc_endpoint_service_name = vpc_endpoint_service_name
        self.vpc_endpoint_service_exists = vpc_endpoint_service_exists
        self.vpc_endpoint_service_valid = vpc_endpoint_service_valid
        self.keys: dict[str, ExternalKey] = {}
        self.arranged = arranged
        self._settled = True

    @property
    def access_key_id(self) -> str:
        """The access key id of the first accepted credential."""
        return self.credentials[0].access_key_id

    @property
    def secret_access_key(self) -> Secret:
        """The secret of the first accepted credential."""
        return self.credentials[0].secret_access_key

    def accept_credential(self, access_key_id: str, secret_access_key: str) -> None:
        """Also accept this credential, as during a rotation.

        It must be one KMS could send: the model's XksProxyAuthenticationCredential
        rules for the access key id (20 to 30 of A-Z and 2-7) and the secret
        (43 to 64 of a-z, A-Z, 0-9, /, + and =).
        """
        from ...model import string_problem

        for name, shape, value in (
            ("access_key_id", "XksProxyAuthenticationAccessKeyIdType", access_key_id),
            (
                "secret_access_key",
                "XksProxyAuthenticationRawSecretAccessKeyType",
                secret_access_key,
            ),
        ):
            problem = string_problem(shape, value)
            if problem is not None:
                raise ValueError(f"KMS could never send this {name}: {problem}")
        credential = XksCredential(access_key_id, Secret(secret_access_key))
        if credential not in self.credentials:
            self.credentials.append(credential)

    def revoke_credential(self, access_key_id: str) -> None:
        """Stop accepting the credential with this access key id."""
        kept = [c for c in self.credentials if c.access_key_id != access_key_id]
        if len(kept) == len(self.credentials):
            raise LookupError(
                f"{self!r} accepts no credential with that access key id (it accepts "
                f"{len(self.credentials)}: the first is proxy.access_key_id)"
            )
        self.credentials = kept

    def accepts(self, credential: XksCredential) -> bool:
        """True when the proxy accepts this credential."""
        return credential in self.credentials

    def add_key(
        self,
        external_key_id: str | None = None,
        *,
        spec: str = "AES_256",
        usages: Sequence[str] = ("ENCRYPT", "DECRYPT"),
        enabled: bool = True,
    ) -> ExternalKey:
        """Create an external key in the key manager and return it."""
        key_id = external_key_id or secrets.token_hex(8)
        if key_id in self.keys:
            raise ValueError(f"external key {key_id!r} already exists in {self!r}")
        key = ExternalKey(key_id, spec=spec, usages=tuple(usages), enabled=enabled)
        self.keys[key_id] = key
        return key

    def remove_key(self, external_key_id: str) -> None:
        """Delete an external key from the key manager."""
        del self.keys[external_key_id]

    def all_instances_unavailable(self) -> bool:
        """True when every external key manager instance reports UNAVAILABLE."""
        return all(status == "UNAVAILABLE" for status in self.key_manager_health)

    def __repr__(self) -> str:
        return (
            f"<XksProxy {self.uri_endpoint}{self.uri_path} account={self.account_id} "
            f"region={self.region}>"
        )
