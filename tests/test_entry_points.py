"""Every way to turn the mock on: decorators, context manager, start/stop, nesting, plugin."""

from __future__ import annotations

import asyncio
import os
import unittest
from typing import Any

import boto3
import pytest
from kms_helpers import create_cloudhsm

import kmsmock
from kmsmock import KmsKeystores, OptionsConflictError, mock_kms_keystores


def store_count() -> int:
    client = boto3.client("kms", region_name="us-east-1")
    return len(client.describe_custom_key_stores()["CustomKeyStores"])


def test_bare_decorator_runs_the_function_with_the_mock_active() -> None:
    @mock_kms_keystores
    def body() -> int:
        create_cloudhsm(boto3.client("kms", region_name="us-east-1"))
        return store_count()

    assert body() == 1
    assert body() == 1  # fresh state on every call


def test_decorator_with_options() -> None:
    @mock_kms_keystores(account_id="111122223333", connect_delay=None)
    def body() -> str:
        client = boto3.client("kms", region_name="us-east-1")
        store_id = create_cloudhsm(client)
        client.connect_custom_key_store(CustomKeyStoreId=store_id)
        entry = client.describe_custom_key_stores()["CustomKeyStores"][0]
        return str(entry["ConnectionState"])

    assert body() == "CONNECTING"


def test_decorated_function_with_a_kms_keystores_parameter_gets_the_handle() -> None:
    @mock_kms_keystores
    def body(kms_keystores: KmsKeystores) -> KmsKeystores:
        return kms_keystores

    handle = body()
    assert isinstance(handle, KmsKeystores)
    assert handle.account_id == "123456789012"


def test_decorating_a_coroutine_function_keeps_it_a_coroutine() -> None:
    @mock_kms_keystores
    async def body() -> int:
        create_cloudhsm(boto3.client("kms", region_name="us-east-1"))
        return store_count()

    assert asyncio.run(body()) == 1


def test_methods_can_be_decorated() -> None:
    class Thing:
        @mock_kms_keystores
        def count(self) -> int:
            create_cloudhsm(boto3.client("kms", region_name="us-east-1"))
            return store_count()

    assert Thing().count() == 1
    assert Thing().count() == 1


@mock_kms_keystores
class TestPlainClassGetsFreshStatePerTest:
    def setup_method(self, method: Any) -> None:
        self.client = boto3.client("kms", region_name="us-east-1")
        create_cloudhsm(self.client, name="made-in-setup")

    def teardown_method(self, method: Any) -> None:
        # The mock is still active in teardown, with the test's state.
        assert len(self.client.describe_custom_key_stores()["CustomKeyStores"]) >= 1

    def test_first(self) -> None:
        create_cloudhsm(self.client, name="first", CloudHsmClusterId="cluster-234567abcdeg")
        assert store_count() == 2

    def test_second(self) -> None:
        assert [
            s["CustomKeyStoreName"]
            for s in self.client.describe_custom_key_stores()["CustomKeyStores"]
        ] == ["made-in-setup"]


@mock_kms_keystores
class TestCaseClassCoversSetUpAndTearDown(unittest.TestCase):
    def setUp(self) -> None:
        self.client = boto3.client("kms", region_name="us-east-1")
        self.store_id = create_cloudhsm(self.client)

    def tearDown(self) -> None:
        self.client.delete_custom_key_store(CustomKeyStoreId=self.store_id)

    def test_one(self) -> None:
        self.assertEqual(store_count(), 1)

    def test_two(self) -> None:
        self.assertEqual(store_count(), 1)


def test_context_manager_yields_the_handle_and_stops_on_exit() -> None:
    with mock_kms_keystores(region="eu-west-2") as ks:
        assert isinstance(ks, KmsKeystores)
        assert ks.region == "eu-west-2"
        assert kmsmock.activation.current() is not None
    assert kmsmock.activation.current() is None


def test_start_and_stop() -> None:
    mock = mock_kms_keystores()
    ks = mock.start()
    try:
        create_cloudhsm(boto3.client("kms", region_name="us-east-1"))
        assert [call.operation for call in ks.calls] == ["CreateCustomKeyStore"]
    finally:
        mock.stop()
    assert kmsmock.activation.current() is None
    with pytest.raises(RuntimeError, match="stopped already"):
        mock.stop()


def test_nested_activations_share_state_and_only_the_outermost_stop_clears_it() -> None:
    with mock_kms_keystores() as outer:
        client = boto3.client("kms", region_name="us-east-1")
        with mock_kms_keystores() as inner:
            create_cloudhsm(client)
            assert inner.calls == outer.calls
        # The inner stop left the state alone.
        assert store_count() == 1
    with mock_kms_keystores():
        assert store_count() == 0


def test_nested_decorators_join_the_same_simulation() -> None:
    @mock_kms_keystores
    def inner() -> int:
        return store_count()

    @mock_kms_keystores
    def outer() -> int:
        create_cloudhsm(boto3.client("kms", region_name="us-east-1"))
        return inner()

    assert outer() == 1


def test_nested_options_that_conflict_raise_an_error_that_says_so() -> None:
    with mock_kms_keystores(account_id="111122223333"):
        inner = mock_kms_keystores(account_id="999999999999")
        with pytest.raises(OptionsConflictError, match="account_id='999999999999'"):
            inner.start()
        # Options left out, or equal to the outer ones, join happily.
        with mock_kms_keystores(account_id="111122223333", strict=False):
            pass
        with mock_kms_keystores(connect_delay=0):
            pass
        with pytest.raises(OptionsConflictError, match="connect_delay"):
            mock_kms_keystores(connect_delay=5).start()
    assert kmsmock.activation.depth() == 0


def test_bad_options_are_refused_when_the_mock_is_made() -> None:
    with pytest.raises(ValueError, match="12 digits"):
        mock_kms_keystores(account_id="12345")
    with pytest.raises(ValueError, match="region"):
        mock_kms_keystores(region="Narnia")
    with pytest.raises(ValueError, match="connect_delay"):
        mock_kms_keystores(connect_delay=-1)
    with pytest.raises(TypeError, match="disconnect_delay"):
        mock_kms_keystores(disconnect_delay="soon")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        mock_kms_keystores(lambda: None, region="us-east-1")  # type: ignore[call-overload]


def test_repr_names_the_explicit_options() -> None:
    assert repr(mock_kms_keystores(connect_delay=5)) == "mock_kms_keystores(connect_delay=5.0)"


def test_region_becomes_aws_default_region_only_when_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    with mock_kms_keystores(region="ap-south-1") as ks:
        assert os.environ["AWS_DEFAULT_REGION"] == "ap-south-1"
        assert boto3.client("kms").meta.region_name == "ap-south-1"
        assert ks.region == "ap-south-1"
    assert "AWS_DEFAULT_REGION" not in os.environ

    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-central-1")
    with mock_kms_keystores(region="ap-south-1"):
        assert os.environ["AWS_DEFAULT_REGION"] == "eu-central-1"
    with mock_kms_keystores() as ks:
        assert ks.region == "eu-central-1"


def test_unimplemented_operation_fails_with_an_error_naming_it(kms: Any) -> None:
    with pytest.raises(
        kmsmock.UnimplementedOperationError, match="'GenerateRandom' with Recipient"
    ):
        kms.generate_random(NumberOfBytes=8, Recipient={"AttestationDocument": b"doc"})


def test_fixture_and_marker_through_pytest(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import boto3, pytest

        def test_fixture_default(kms_keystores):
            assert kms_keystores.account_id == "123456789012"

        @pytest.mark.kms_keystores(account_id="210987654321", connect_delay=None)
        def test_marker_configures_fixture(kms_keystores):
            assert kms_keystores.account_id == "210987654321"
            client = boto3.client("kms", region_name="us-east-1")
            client.describe_custom_key_stores()
            assert kms_keystores.calls[0].account_id == "210987654321"

        @pytest.mark.kms_keystores("positional")
        def test_marker_rejects_positional(kms_keystores):
            pass

        def test_no_leak_between_tests(kms_keystores):
            assert kms_keystores.calls == []
        """
    )
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=3, errors=1)
    result.stdout.fnmatch_lines(["*keyword options only*"])
