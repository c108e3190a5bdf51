"""``mock_kms_keystores``: decorator, context manager, and start/stop object in one."""

from __future__ import annotations

import functools
import inspect
import sys
import threading
from collections.abc import Callable
from typing import Any, TypeVar, cast, overload

from . import activation
from ._defaults import default as _default
from ._defaults import explicit
from .accounts import DEFAULT_ACCOUNT_ID
from .handle import KmsKeystores
from .options import Options

__all__ = ["HANDLE_ATTRIBUTE", "MockKmsKeystores", "decorator_mocks", "mock_kms_keystores"]

F = TypeVar("F", bound=Callable[..., Any])
C = TypeVar("C", bound=type)

HANDLE_PARAMETER = "kms_keystores"
"""A decorated function with a parameter of this name receives the handle."""

HANDLE_ATTRIBUTE = "kms_keystores"
"""During each test of a decorated class, the instance holds the handle as this attribute."""

_MOCKS_ATTRIBUTE = "_kmsmock_mocks"
_MISSING = object()


def decorator_mocks(*targets: object) -> tuple[MockKmsKeystores, ...]:
    """The mocks whose decorators wrap any of ``targets`` (functions or classes), outermost last.

    kmsmock's pytest plugin reads them so that its ``kms_keystores`` fixture
    starts the mock with the decorator's options, which the decorator then joins.
    """
    found: list[MockKmsKeystores] = []
    for target in targets:
        for mock in getattr(target, _MOCKS_ATTRIBUTE, ()):
            if not any(mock is seen for seen in found):
                found.append(mock)
    return tuple(found)


def _record(target: Any, mock: MockKmsKeystores) -> None:
    setattr(target, _MOCKS_ATTRIBUTE, (*getattr(target, _MOCKS_ATTRIBUTE, ()), mock))


class MockKmsKeystores:
    """An activatable mock of KMS custom key stores.

    Use it as a decorator (on functions, methods or classes), as a context
    manager, or with :meth:`start` and :meth:`stop`. An activation inside
    another joins the same simulated KMS; only the outermost stop clears it.
    """

    def __init__(
        self,
        *,
        account_id: str = _default(DEFAULT_ACCOUNT_ID),
        region: str | None = _default(None),
        strict: bool = _default(False),
        connect_delay: float | None = _default(0.0),
        disconnect_delay: float | None = _default(0.0),
        real_retry_sleep: bool = _default(False),
    ) -> None:
        given = {
            "account_id": account_id,
            "region": region,
            "strict": strict,
            "connect_delay": connect_delay,
            "disconnect_delay": disconnect_delay,
            "real_retry_sleep": real_retry_sleep,
        }
        values, self._explicit = explicit(given)
        self._options = Options(**values)
        self._started = 0
        self._stopped = False
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{name}={getattr(self._options, name)!r}" for name in sorted(self._explicit)
        )
        return f"mock_kms_keystores({shown})"

    def explicit_options(self) -> dict[str, Any]:
        """The options this mock was given explicitly (as checked), by name."""
        return {name: getattr(self._options, name) for name in sorted(self._explicit)}

    # -- start / stop -------------------------------------------------------------------

    def start(self) -> KmsKeystores:
        """Activate the mock (or join the active one) and return the handle."""
        simulation = activation.activate(self._options, self._explicit)
        with self._lock:
            self._started += 1
        return KmsKeystores(simulation)

    def stop(self) -> None:
        """Undo one :meth:`start`; the outermost stop discards the simulated KMS."""
        with self._lock:
            if self._started == 0:
                if self._stopped:
                    raise RuntimeError(
                        f"{self!r} is stopped already: stop() was called more times than start()"
                    )
                raise RuntimeError(f"{self!r} was never started: call start() before stop()")
            self._started -= 1
            self._stopped = True
        activation.deactivate()

    def __enter__(self) -> KmsKeystores:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- decorating ---------------------------------------------------------------------

    @overload
    def __call__(self, target: C) -> C: ...

    @overload
    def __call__(self, target: F) -> F: ...

    def __call__(self, target: Any) -> Any:
        """Decorate a function, method or class so that it runs with the mock active."""
        if isinstance(target, type):
            return self._decorate_class(target)
        if not callable(target):
            raise TypeError(f"mock_kms_keystores cannot decorate {target!r}")
        return self._decorate_callable(target)

    def _decorate_callable(self, func: F) -> F:
        wants_handle = _accepts(func, HANDLE_PARAMETER)

        if inspect.iscoroutinefunction(func):

            @functools.wraps(func)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                with self as handle:
                    if wants_handle:
                        kwargs.setdefault(HANDLE_PARAMETER, handle)
                    return await func(*args, **kwargs)

            _record(async_wrapper, self)
            return cast(F, async_wrapper)

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self as handle:
                if wants_handle:
                    kwargs.setdefault(HANDLE_PARAMETER, handle)
                return func(*args, **kwargs)

        _record(wrapper, self)
        return cast(F, wrapper)

    def _decorate_class(self, cls: C) -> C:
        unittest = sys.modules.get("unittest")  # no TestCase exists unless unittest was imported
        if unittest is not None and issubclass(cls, unittest.TestCase):
            # TestCase.run covers setUp, the test, tearDown and cleanups.
            self._wrap_test_case_run(cls)
            _record(cls, self)
            return cls
        for name, member in list(vars(cls).items()):
            if name.startswith("test") and inspect.isfunction(member):
                setattr(cls, name, self._decorate_callable(member))
        self._wrap_xunit_methods(cls)
        _record(cls, self)
        return cls

    def _wrap_test_case_run(self, cls: type) -> None:
        """Activate around ``TestCase.run``, with the handle as ``self.kms_keystores``."""
        mock = self
        test_case: Any = cls
        run = test_case.run

        @functools.wraps(run)
        def wrapped_run(instance: Any, *args: Any, **kwargs: Any) -> Any:
            with mock as handle:
                previous = _set_handle(instance, handle)
                try:
                    return run(instance, *args, **kwargs)
                finally:
                    _restore_handle(instance, previous)

        test_case.run = wrapped_run

    def _wrap_xunit_methods(self, cls: type) -> None:
        """Make pytest's setup_method/teardown_method share each test's activation."""
        mock = self
        setup = getattr(cls, "setup_method", None)
        teardown = getattr(cls, "teardown_method", None)
        key = f"_kmsmock_activation_{id(self)}"

        def setup_method(instance: Any, method: Any = None) -> None:
            handle = mock.start()
            setattr(instance, key, (_set_handle(instance, handle),))
            try:
                if setup is not None:
                    _call_xunit(setup, instance, method, handle)
            except BaseException:
                (previous,) = getattr(instance, key)
                delattr(instance, key)
                _restore_handle(instance, previous)
                mock.stop()
                raise

        def teardown_method(instance: Any, method: Any = None) -> None:
            try:
                if teardown is not None:
                    _call_xunit(teardown, instance, method, None)
            finally:
                saved = getattr(instance, key, None)
                if saved is not None:
                    delattr(instance, key)
                    _restore_handle(instance, saved[0])
                    mock.stop()

        cls.setup_method = setup_method  # type: ignore[attr-defined]
        cls.teardown_method = teardown_method  # type: ignore[attr-defined]


def _set_handle(instance: Any, handle: KmsKeystores) -> Any:
    """Set ``instance.kms_keystores``; return what the instance held before (or _MISSING)."""
    previous = vars(instance).get(HANDLE_ATTRIBUTE, _MISSING)
    setattr(instance, HANDLE_ATTRIBUTE, handle)
    return previous


def _restore_handle(instance: Any, previous: Any) -> None:
    """Undo :func:`_set_handle`."""
    if previous is _MISSING:
        vars(instance).pop(HANDLE_ATTRIBUTE, None)
    else:
        setattr(instance, HANDLE_ATTRIBUTE, previous)


def _accepts(func: Callable[..., Any], name: str) -> bool:
    try:
        return name in inspect.signature(func).parameters
    except (TypeError, ValueError):
        return False


def _call_xunit(func: Callable[..., Any], instance: Any, method: Any, handle: Any) -> None:
    params = list(inspect.signature(func).parameters)
    args: list[Any] = [method] if len(params) >= 2 else []
    kwargs = {HANDLE_PARAMETER: handle} if handle is not None and HANDLE_PARAMETER in params else {}
    func(instance, *args, **kwargs)


@overload
def mock_kms_keystores(target: C, /) -> C: ...


@overload
def mock_kms_keystores(target: F, /) -> F: ...


@overload
def mock_kms_keystores(
    *,
    account_id: str = ...,
    region: str | None = ...,
    strict: bool = ...,
    connect_delay: float | None = ...,
    disconnect_delay: float | None = ...,
    real_retry_sleep: bool = ...,
) -> MockKmsKeystores: ...


def mock_kms_keystores(target: Any = None, /, **options: Any) -> Any:
    """Mock AWS KMS custom key stores for botocore, boto3 and ``requests`` clients.

    Forms::

        @mock_kms_keystores                      # a function, method or class
        @mock_kms_keystores(connect_delay=60)    # the same, with options
        with mock_kms_keystores() as ks: ...     # a context manager
        ks = (m := mock_kms_keystores()).start(); ...; m.stop()

    Options: ``account_id`` (default "123456789012") is the account that
    unsigned requests and unknown access keys act as; ``region`` (default
    AWS_DEFAULT_REGION, else us-east-1) is the default region of the handle's
    helpers; ``strict`` makes only what the test arranged exist;
    ``connect_delay`` and ``disconnect_delay`` are seconds on the mock clock
    (None: until ``ks.settle()``); ``real_retry_sleep`` makes botocore's
    backoff before retrying kmsmock's answers sleep for real instead of
    moving the mock clock.

    On a class, every test method gets fresh state; on a ``unittest.TestCase``
    that covers setUp and tearDown too, and on a plain class setup_method and
    teardown_method. During each test of a decorated class the handle is
    ``self.kms_keystores``. A decorated function with a ``kms_keystores``
    parameter receives the handle; under pytest that parameter is kmsmock's
    fixture, which then starts the mock with the decorator's options (merged
    with a ``@pytest.mark.kms_keystores`` marker's) and the decorator joins it.
    """
    if target is not None:
        if options:
            raise TypeError("mock_kms_keystores takes either a target or options, not both")
        return MockKmsKeystores()(target)
    return MockKmsKeystores(**options)
