"""A custom key store, and the settings of each type of store."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from .connection import ConnectionState
from .secret import Secret

__all__ = [
    "CloudHsmSettings",
    "CustomKeyStore",
    "KeyStoreType",
    "XksConnectivity",
    "XksCredential",
    "XksSettings",
]


class KeyStoreType(str, Enum):
    """The CustomKeyStoreType values of the KMS model."""

    AWS_CLOUDHSM = "AWS_CLOUDHSM"
    EXTERNAL_KEY_STORE = "EXTERNAL_KEY_STORE"


class XksConnectivity(str, Enum):
    """The XksProxyConnectivity values of the KMS model."""

    PUBLIC_ENDPOINT = "PUBLIC_ENDPOINT"
    VPC_ENDPOINT_SERVICE = "VPC_ENDPOINT_SERVICE"


@dataclass(frozen=True, slots=True)
class CloudHsmSettings:
    """What KMS knows of the CloudHSM cluster behind a CloudHSM key store."""

    cluster_id: str
    trust_anchor_certificate: str
    password: Secret

    type = KeyStoreType.AWS_CLOUDHSM


@dataclass(frozen=True, slots=True)
class XksCredential:
    """A proxy authentication credential: the one KMS signs XKS proxy requests with,
    and the ones a simulated proxy accepts."""

    access_key_id: str
    secret_access_key: Secret

    def __repr__(self) -> str:
        return f"XksCredential(access_key_id='***', secret_access_key={self.secret_access_key!r})"


@dataclass(frozen=True, slots=True)
class XksSettings:
    """What KMS knows of the external key store proxy behind an external key store."""

    uri_endpoint: str
    uri_path: str
    connectivity: XksConnectivity
    credential: XksCredential
    vpc_endpoint_service_name: str | None = None
    vpc_endpoint_service_owner: str | None = None

    type = KeyStoreType.EXTERNAL_KEY_STORE


@dataclass(eq=False, slots=True)
class CustomKeyStore:
    """One custom key store in one account and region.

    ``due`` is the mock time at which a CONNECTING or DISCONNECTING store
    completes its transition; None means it waits for ``settle()``.
    """

    id: str
    name: str
    seq: int
    created: float
    settings: CloudHsmSettings | XksSettings
    state: ConnectionState = ConnectionState.DISCONNECTED
    error_code: str | None = None
    due: float | None = None

    @property
    def type(self) -> KeyStoreType:
        """The store's CustomKeyStoreType."""
        return self.settings.type
