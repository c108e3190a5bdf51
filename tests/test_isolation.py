"""Isolation: no state leaks between tests, whatever the fixture scope or nesting.

Every test of the suite is also watched by tests/conftest.py: a test that
leaves kmsmock active, the AWS_* variables changed or ``HTTPAdapter.send``
patched fails, and the next test starts clean all the same (checked here with
a leaking test run by pytester). A module's activation must end with its
module (tests/test_isolation_module.py).

These tests hold in any order and on any xdist worker: each asserts only what
its own fixture guarantees.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from kms_helpers import cluster_id, create_cloudhsm, own_aliases

import kmsmock.activation
from kmsmock import KmsKeystores, mock_kms_keystores

REGIONS = ("us-east-1", "eu-west-1")
ACCOUNTS = ("123456789012", "111122223333")


def visible_names(ks: KmsKeystores) -> set[str]:
    """Names of the stores visible in two regions and two accounts."""
    names: set[str] = set()
    for region in REGIONS:
        for account in ACCOUNTS:
            client = boto3.client("kms", region_name=region, **ks.credentials(account))
            stores = client.describe_custom_key_stores()["CustomKeyStores"]
            names |= {store["CustomKeyStoreName"] for store in stores}
    return names


def assert_empty(ks: KmsKeystores) -> None:
    """Nothing in the simulated KMS: no store, key, alias or call, and the clock at wall time."""
    assert ks.calls == []
    assert visible_names(ks) == set()
    kms = boto3.client("kms", region_name="us-east-1")
    assert kms.list_keys()["Keys"] == []
    assert own_aliases(kms) == []
    assert abs(ks.now() - time.time()) < 60


def fill(ks: KmsKeystores, tag: str) -> None:
    """Put stores, keys, aliases, arrangements and a moved clock into the simulated KMS."""
    for n, region in enumerate(REGIONS):
        client = boto3.client("kms", region_name=region, **ks.credentials(ACCOUNTS[n]))
        store_id = create_cloudhsm(client, name=f"{tag}-{region}", CloudHsmClusterId=cluster_id(n))
        client.connect_custom_key_store(CustomKeyStoreId=store_id)
        key_id = client.create_key()["KeyMetadata"]["KeyId"]
        client.create_alias(AliasName=f"alias/{tag}", TargetKeyId=key_id)
        ks.fail_next_connect(store_id, "USER_LOCKED_OUT")
    ks.cloudhsm_cluster(hsms=1)
    ks.inject_error("ListKeys", "KMSInternalException", times=5)
    ks.advance(3600)


@pytest.mark.parametrize("run", range(3))
def test_a_function_fixture_starts_empty(kms_keystores: KmsKeystores, run: int) -> None:
    assert_empty(kms_keystores)
    fill(kms_keystores, f"function-{run}")


@pytest.mark.parametrize("run", range(3))
def test_a_decorated_function_starts_empty(run: int) -> None:
    @mock_kms_keystores
    def body(kms_keystores: KmsKeystores) -> None:
        assert_empty(kms_keystores)
        fill(kms_keystores, f"decorated-{run}")

    body()
    body()


def test_a_new_activation_after_a_stop_is_empty() -> None:
    with mock_kms_keystores() as first:
        fill(first, "first")
    assert kmsmock.activation.current() is None
    with mock_kms_keystores() as second:
        assert_empty(second)
    # The first handle still shows what happened under it.
    assert first.calls


def test_reset_empties_everything(kms_keystores: KmsKeystores) -> None:
    fill(kms_keystores, "reset")
    kms_keystores.reset()
    assert_empty(kms_keystores)


@pytest.fixture(scope="class")
def class_ks() -> Iterator[KmsKeystores]:
    with mock_kms_keystores() as ks:
        yield ks


class TestAClassFixtureIsSharedByItsTestsOnly:
    """A class-scoped activation: shared by the class's tests, gone after the class."""

    NAMES = frozenset({"class-a", "class-b"})

    def test_a(self, class_ks: KmsKeystores) -> None:
        create_cloudhsm(boto3.client("kms", region_name="us-east-1"), name="class-a")
        assert {"class-a"} <= visible_names(class_ks) <= self.NAMES

    def test_b(self, class_ks: KmsKeystores) -> None:
        create_cloudhsm(
            boto3.client("kms", region_name="us-east-1"),
            name="class-b",
            CloudHsmClusterId=cluster_id(1),
        )
        assert {"class-b"} <= visible_names(class_ks) <= self.NAMES

    def test_a_function_fixture_inside_joins_it(
        self, class_ks: KmsKeystores, kms_keystores: KmsKeystores
    ) -> None:
        assert kmsmock.activation.depth() == 2
        assert visible_names(kms_keystores) <= self.NAMES
        assert kms_keystores.calls == class_ks.calls


@mock_kms_keystores
class TestADecoratedClassGetsFreshStatePerTest:
    def test_one(self) -> None:
        kms = boto3.client("kms", region_name="us-east-1")
        assert kms.describe_custom_key_stores()["CustomKeyStores"] == []
        create_cloudhsm(kms, name="one")

    def test_two(self) -> None:
        kms = boto3.client("kms", region_name="us-east-1")
        assert kms.describe_custom_key_stores()["CustomKeyStores"] == []
        create_cloudhsm(kms, name="two")


def test_nested_mocks_share_state_and_only_the_outermost_stop_clears_it() -> None:
    with mock_kms_keystores(connect_delay=None) as outer:
        with mock_kms_keystores() as inner:
            fill(inner, "nested")
            with mock_kms_keystores(connect_delay=None):
                assert kmsmock.activation.depth() == 3
        assert visible_names(outer) == {"nested-us-east-1", "nested-eu-west-1"}
        assert inner.calls == outer.calls
        started = mock_kms_keystores()
        started.start()
        started.stop()
        assert visible_names(outer) == {"nested-us-east-1", "nested-eu-west-1"}
    assert kmsmock.activation.depth() == 0
    with mock_kms_keystores() as fresh:
        assert_empty(fresh)


def test_an_exception_inside_nested_mocks_unwinds_them_all() -> None:
    with pytest.raises(RuntimeError, match="boom"), mock_kms_keystores() as outer:
        fill(outer, "unwound")
        with mock_kms_keystores():
            raise RuntimeError("boom")
    assert kmsmock.activation.depth() == 0
    with mock_kms_keystores() as fresh:
        assert_empty(fresh)


def test_a_fixture_inside_a_decorated_test_joins_it() -> None:
    @mock_kms_keystores
    def body(kms_keystores: KmsKeystores) -> None:
        with mock_kms_keystores() as inner:
            assert kmsmock.activation.depth() == 2
            fill(inner, "joined")
        assert visible_names(kms_keystores) == {"joined-us-east-1", "joined-eu-west-1"}

    body()
    with mock_kms_keystores() as fresh:
        assert_empty(fresh)


TESTS = Path(__file__).parent


def test_a_test_that_leaks_an_activation_fails_and_the_next_starts_clean(
    pytester: pytest.Pytester,
) -> None:
    """The guards of tests/conftest.py, run on a test that forgets to stop its mock."""
    pytester.makeconftest((TESTS / "conftest.py").read_text())
    pytester.makepyfile(kms_checks=(TESTS / "kms_checks.py").read_text())
    pytester.makepyfile(
        test_leaky="""
        import os
        import boto3
        from kmsmock import mock_kms_keystores

        def test_1_leaks():
            ks = mock_kms_keystores().start()
            boto3.client("kms", region_name="us-east-1").create_key()

        def test_2_starts_clean():
            with mock_kms_keystores() as ks:
                kms = boto3.client("kms", region_name="us-east-1")
                assert kms.list_keys()["Keys"] == []
                assert ks.calls[0].operation == "ListKeys"

        def test_3_changes_the_environment():
            os.environ["AWS_ACCESS_KEY_ID"] = "AKIALEAKEDLEAKEDLEAK"
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:xdist", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=3, errors=2)
    result.stdout.fnmatch_lines(
        [
            "*the test left kmsmock active (1 activations)*",
            "*the test changed the AWS_* variables*",
        ]
    )


def test_the_suite_runs_on_xdist_workers(request: pytest.FixtureRequest) -> None:
    """CI runs plain ``pytest``, which tests/conftest.py spreads over two workers."""
    worker = getattr(request.config, "workerinput", None)
    if worker is None:
        pytest.skip("run without xdist (-n0, -p no:xdist, -s or --pdb)")
    assert worker["workercount"] >= 2


def test_module_state_does_not_leak_here(kms_keystores: KmsKeystores) -> None:
    """tests/test_isolation_module.py keeps a module-wide activation; none of it is here."""
    assert kmsmock.activation.depth() == 1
    assert_empty(kms_keystores)


def test_clients_made_before_a_mock_see_only_that_mock() -> None:
    client = boto3.client("kms", region_name="us-east-1")
    with mock_kms_keystores() as ks:
        create_cloudhsm(client, name="before")
        assert visible_names(ks) == {"before"}
    with mock_kms_keystores():
        assert client.describe_custom_key_stores()["CustomKeyStores"] == []
