"""The handle a mock activation returns: inspect and steer the simulated KMS."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypedDict

from ._defaults import default, explicit
from .accounts import FAKE_SECRET_ACCESS_KEY, access_key_for, check_account_id
from .errors import InactiveMockError

if TYPE_CHECKING:  # loaded with the simulation, on first activation
    from .calls import Call
    from .domain.backing.cluster import CloudHsmCluster
    from .domain.backing.proxy import XksProxy
    from .simulation import Simulation

__all__ = ["ClientCredentials", "KmsKeystores"]


class ClientCredentials(TypedDict):
    """Keyword arguments of ``boto3.client`` and ``boto3.Session`` that act as an account."""

    aws_access_key_id: str
    aws_secret_access_key: str


class KmsKeystores:
    """Controls the simulated KMS of an active ``mock_kms_keystores``.

    Every nested activation's handle drives the same simulation. Once its
    mock has stopped, a handle still reads (``calls``, ``now``, its options),
    but refuses to change anything, with :class:`~kmsmock.InactiveMockError`.
    """

    def __init__(self, simulation: Simulation) -> None:
        self._simulation = simulation

    def __repr__(self) -> str:
        options = self._simulation.options
        return f"<KmsKeystores account_id={options.account_id!r} region={options.region!r}>"

    def _active(self) -> Simulation:
        """The simulation, if its mock is still active; else InactiveMockError."""
        if not self._simulation.alive:
            raise InactiveMockError(
                "this kms_keystores handle belongs to a mock that has stopped; start a mock "
                "and use the handle it returns"
            )
        return self._simulation

    @property
    def account_id(self) -> str:
        """The default account: unsigned requests and unknown access keys act as it."""
        return self._simulation.options.account_id

    @property
    def region(self) -> str:
        """The default region of the handle's helpers."""
        return self._simulation.region

    @property
    def strict(self) -> bool:
        """Whether only what the test arranged exists (see the ``strict`` option)."""
        return self._simulation.options.strict

    def credentials(self, account_id: str | None = None) -> ClientCredentials:
        """Keyword arguments for ``boto3.client``/``boto3.Session`` that act as ``account_id``.

        ``boto3.client("kms", **ks.credentials("111122223333"))`` makes a
        client whose requests act as account 111122223333. The default is the
        mock's own account. The credentials are fake and work only with kmsmock.
        """
        return ClientCredentials(
            aws_access_key_id=access_key_for(account_id or self.account_id),
            aws_secret_access_key=FAKE_SECRET_ACCESS_KEY,
        )

    def fail_next_connect(self, custom_key_store_id: str, connection_error_code: str) -> None:
        """Make the store's next connection attempt end FAILED with ``connection_error_code``.

        The code is one of the ConnectionErrorCode values botocore's model
        documents for the store's type, such as ``"INVALID_CREDENTIALS"``, or
        ``"XKS_PROXY_TIMED_OUT"`` for an external key store. The store, in any
        account and region, must exist; the arrangement is used up by one attempt.
        """
        from .model import connection_error_codes_for

        kms = self._active().kms
        with kms.lock:
            found = kms.find_store(custom_key_store_id)
            if found is None:
                raise LookupError(f"no custom key store {custom_key_store_id!r} exists")
            store_type = found[1].type.value
            codes = connection_error_codes_for(store_type)
            if connection_error_code not in codes:
                raise ValueError(
                    f"{connection_error_code!r} is not a ConnectionErrorCode of a {store_type} "
                    "custom key store; KMS uses: " + ", ".join(codes)
                )
            kms.fail_next_connect(custom_key_store_id, connection_error_code)

    def _scope(self, account_id: str | None, region: str | None) -> tuple[str, str]:
        from .options import check_region

        account = check_account_id(account_id) if account_id is not None else self.account_id
        return account, self.region if region is None else check_region(region)

    def cloudhsm_cluster(
        self,
        cluster_id: str | None = None,
        *,
        hsms: int | Sequence[str] = default(2),
        state: str = default("ACTIVE"),
        trust_anchor_certificate: str | None = default(None),
        kmsuser_password: str | None = default(None),
        related_to: CloudHsmCluster | None = None,
        account_id: str | None = None,
        region: str | None = None,
        **attributes: Any,
    ) -> CloudHsmCluster:
        """Arrange a simulated CloudHSM cluster and return it.

        A new cluster gets a valid generated id when none is given, ``hsms``
        active HSMs in distinct availability zones (or HSMs in the zones
        listed), and a generated trust anchor and kmsuser password unless
        given. ``related_to`` makes it a cluster restored from the same backup
        as another (same backup lineage and trust anchor). Other keyword
        arguments set any attribute of :class:`~kmsmock.CloudHsmCluster`,
        such as ``kmsuser_logged_in=True`` or ``free_ip_addresses=0``.

        Naming a cluster that already exists (also one provisioned on first
        use) returns it, changed by the keyword arguments given, and from then
        on its state is enforced. It belongs to ``account_id`` and ``region``,
        by default the mock's.
        """
        from .domain.backing.cluster import new_cluster_id

        values, given = explicit(
            {
                "hsms": hsms,
                "state": state,
                "trust_anchor_certificate": trust_anchor_certificate,
                "kmsuser_password": kmsuser_password,
            }
        )
        account, region_name = self._scope(account_id, region)
        if cluster_id is not None:
            _check_model_string("a CloudHSM cluster id", "CloudHsmClusterIdType", cluster_id)
        kms = self._active().kms
        with kms.lock:
            cluster = kms.world.provide_cluster(
                account,
                region_name,
                cluster_id or new_cluster_id(),
                arrange=True,
                trust_anchor_certificate=values["trust_anchor_certificate"],
                kmsuser_password=values["kmsuser_password"],
                related_to=related_to,
            )
            assert cluster is not None  # an arranged cluster always exists
            for name in given - {"trust_anchor_certificate", "kmsuser_password"}:
                setattr(cluster, name, values[name])
            _set_attributes(cluster, attributes)
            return cluster

    def xks_proxy(
        self,
        uri_endpoint: str,
        uri_path: str = default("/kms/xks/v1"),
        *,
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        account_id: str | None = None,
        region: str | None = None,
        **attributes: Any,
    ) -> XksProxy:
        """Arrange a simulated external key store proxy at ``uri_endpoint`` and return it.

        Its credential is generated unless given (read it back from
        ``proxy.access_key_id`` and ``proxy.secret_access_key.reveal()``;
        ``proxy.accept_credential(...)`` adds a second one, as during a
        rotation). Other keyword arguments set any attribute of
        :class:`~kmsmock.XksProxy`, such as ``reachable=False``,
        ``responds_in_time=False`` or ``vpc_endpoint_service_name=...``. Add
        external keys with ``proxy.add_key(...)``.

        Naming a proxy that already exists returns it, changed by the keyword
        arguments given; from then on its state is enforced.
        """
        from .domain.backing.proxy import new_credential
        from .domain.secret import Secret
        from .domain.stores import XksCredential

        values, given = explicit({"uri_path": uri_path})
        account, region_name = self._scope(account_id, region)
        _check_model_string("an XKS proxy URI endpoint", "XksProxyUriEndpointType", uri_endpoint)
        _check_model_string("an XKS proxy URI path", "XksProxyUriPathType", values["uri_path"])
        if access_key_id is not None:
            _check_model_string(
                "an access key id KMS could send",
                "XksProxyAuthenticationAccessKeyIdType",
                access_key_id,
            )
        if secret_access_key is not None:
            _check_model_string(
                "a secret KMS could send",
                "XksProxyAuthenticationRawSecretAccessKeyType",
                secret_access_key,
            )
        kms = self._active().kms
        with kms.lock:
            credential = None
            exists = kms.world.proxy(account, region_name, uri_endpoint) is not None
            if not exists or (access_key_id is not None and secret_access_key is not None):
                generated = new_credential()
                credential = XksCredential(
                    access_key_id or generated.access_key_id,
                    Secret(secret_access_key) if secret_access_key else generated.secret_access_key,
                )
            proxy = kms.world.provide_proxy(
                account,
                region_name,
                uri_endpoint,
                arrange=True,
                uri_path=values["uri_path"] if "uri_path" in given or not exists else None,
                credential=credential,
            )
            assert proxy is not None  # an arranged proxy always exists
            _set_attributes(proxy, attributes)
            return proxy

    def find_cluster(
        self, cluster_id: str, *, account_id: str | None = None, region: str | None = None
    ) -> CloudHsmCluster | None:
        """The simulated cluster with this id as it is (arranged or provisioned), or None.

        Unlike :meth:`cloudhsm_cluster`, this neither creates nor arranges it.
        """
        account, region_name = self._scope(account_id, region)
        return self._simulation.kms.world.cluster(account, region_name, cluster_id)

    def find_proxy(
        self, uri_endpoint: str, *, account_id: str | None = None, region: str | None = None
    ) -> XksProxy | None:
        """The simulated proxy at this endpoint as it is (arranged or provisioned), or None.

        Unlike :meth:`xks_proxy`, this neither creates nor arranges it.
        """
        account, region_name = self._scope(account_id, region)
        return self._simulation.kms.world.proxy(account, region_name, uri_endpoint)

    def inject_error(
        self, operation: str, error_code: str, *, times: int = 1, message: str | None = None
    ) -> None:
        """Answer the next ``times`` attempts of ``operation`` with ``error_code``.

        ``operation`` is one kmsmock simulates, and ``error_code`` any error
        botocore's model lists for it, or ThrottlingException. It answers with
        AWS's HTTP status, so botocore's retries behave as in production: each
        attempt, retries included, uses up one of ``times`` and shows in :attr:`calls`.
        """
        from .api.operations import HANDLERS
        from .faults import Fault
        from .model import error_description, modeled_errors, service_model

        if operation not in service_model().operation_names:
            raise ValueError(f"KMS has no operation named {operation!r}")
        if operation not in HANDLERS:
            raise ValueError(
                f"kmsmock does not simulate {operation} (calling it raises "
                "UnimplementedOperationError), so no error can be injected for it; it simulates: "
                + ", ".join(sorted(HANDLERS))
            )
        allowed = modeled_errors(operation) | {"ThrottlingException"}
        if error_code not in allowed:
            raise ValueError(
                f"{operation} does not answer {error_code!r}; it may answer: "
                + ", ".join(sorted(allowed))
            )
        if isinstance(times, bool) or not isinstance(times, int) or times < 1:
            raise ValueError(f"times must be a whole number of at least 1, not {times!r}")
        if message is None:
            message = error_description(error_code) or "Rate exceeded"
        self._active().faults.add(operation, Fault(error_code, message, times))

    def settle(self) -> None:
        """Complete every pending CONNECTING or DISCONNECTING now, whatever its delay."""
        kms = self._active().kms
        with kms.lock:
            kms.settle()

    def advance(self, seconds: float | datetime.timedelta) -> None:
        """Move the mock clock forward by ``seconds`` (or a timedelta); complete what became due."""
        if isinstance(seconds, datetime.timedelta):
            seconds = seconds.total_seconds()
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
            raise TypeError(
                f"advance takes a number of seconds or a datetime.timedelta, not {seconds!r}"
            )
        kms = self._active().kms
        with kms.lock:
            kms.advance(seconds)

    def now(self) -> float:
        """The mock clock's reading, in seconds since the epoch."""
        return self._simulation.kms.clock.now()

    @property
    def calls(self) -> list[Call]:
        """Every call answered so far, oldest first, with secrets redacted."""
        return self._simulation.calls()

    def reset(self) -> None:
        """Clear stores, keys, arrangements, faults and calls; the clock offset goes back to 0."""
        self._active().reset()


def _check_model_string(what: str, shape: str, value: object) -> None:
    """Refuse a value KMS's own validation would refuse for ``shape``."""
    from .model import string_problem

    problem = string_problem(shape, value)
    if problem is not None:
        shown = "the value given" if "secret" in what or "access key" in what else repr(value)
        raise ValueError(f"{shown} is not {what}: {problem}")


def _set_attributes(target: object, attributes: dict[str, Any]) -> None:
    """Set public attributes of a simulated cluster or proxy; refuse unknown names first."""
    unknown = [name for name in attributes if name.startswith("_") or not hasattr(target, name)]
    if unknown:
        valid: list[str] = getattr(target, "attribute_names", list)()
        raise TypeError(
            f"{type(target).__name__} has no attribute {', '.join(map(repr, unknown))}; "
            f"its attributes are: {', '.join(valid)}"
        )
    for name, value in attributes.items():
        setattr(target, name, value)
