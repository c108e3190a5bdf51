"""The decorator under pytest: its options reach the fixture, the marker always mocks, and a
decorated class reaches the handle as ``self.kms_keystores``."""

from __future__ import annotations

import re
import textwrap
import unittest
from pathlib import Path

import boto3
import pytest
from kms_helpers import create_cloudhsm, state

import kmsmock
from kmsmock import KmsKeystores, OptionsConflictError, mock_kms_keystores

HELPERS = """
import boto3, pytest, unittest
import kmsmock
from kmsmock import mock_kms_keystores

def connecting_store():
    kms = boto3.client("kms", region_name="us-east-1")
    store_id = kms.create_custom_key_store(
        CustomKeyStoreName="s",
        CloudHsmClusterId="cluster-234567abcdef",
        TrustAnchorCertificate="-----BEGIN CERTIFICATE-----\\nMIIBfake\\n-----END CERTIFICATE-----",
        KeyStorePassword="kmsuser-Passw0rd",
    )["CustomKeyStoreId"]
    kms.connect_custom_key_store(CustomKeyStoreId=store_id)
    return kms, store_id

def connection_state(kms, store_id):
    entry = kms.describe_custom_key_stores(CustomKeyStoreId=store_id)["CustomKeyStores"][0]
    return entry["ConnectionState"]
"""


def run_inner(pytester: pytest.Pytester, body: str) -> pytest.RunResult:
    """Run a test file (the helpers above, then ``body``) in a fresh pytest process.

    A subprocess, because an in-process run unloads the modules kmsmock loads lazily.
    """
    pytester.makepyfile(test_inner=HELPERS + body)
    return pytester.runpytest_subprocess(
        "-p", "no:xdist", "-p", "no:cacheprovider", "-p", "no:randomly"
    )


# -- 1. the decorator's options reach the fixture ----------------------------------------


def test_the_documented_decorator_with_the_fixture_gets_the_decorators_options(
    pytester: pytest.Pytester,
) -> None:
    result = run_inner(
        pytester,
        """
@mock_kms_keystores(connect_delay=60)
def test_slow_connect(kms_keystores):
    assert kms_keystores.account_id == "123456789012"
    kms, store_id = connecting_store()
    kms_keystores.advance(59)
    assert connection_state(kms, store_id) == "CONNECTING"
    kms_keystores.advance(1)
    assert connection_state(kms, store_id) == "CONNECTED"

@mock_kms_keystores(account_id="111122223333", connect_delay=None)
def test_the_decorator_joins_the_fixtures_mock(kms_keystores):
    assert kmsmock.activation.depth() == 2
    assert kms_keystores.account_id == "111122223333"
    kms, store_id = connecting_store()
    kms_keystores.advance(10_000)
    assert connection_state(kms, store_id) == "CONNECTING"
    assert kms_keystores.calls[0].account_id == "111122223333"

@pytest.fixture
def client(kms_keystores):
    return boto3.client("kms", region_name="us-east-1")

@mock_kms_keystores(connect_delay=None)
def test_a_fixture_that_needs_the_fixture(client):
    store_id = connecting_store()[1]
    assert connection_state(client, store_id) == "CONNECTING"

class TestMethods:
    @mock_kms_keystores(connect_delay=30)
    def test_method(self, kms_keystores):
        kms, store_id = connecting_store()
        kms_keystores.advance(30)
        assert connection_state(kms, store_id) == "CONNECTED"

@mock_kms_keystores(connect_delay=None)
class TestDecoratedClass:
    def test_with_the_fixture(self, kms_keystores):
        kms, store_id = connecting_store()
        kms_keystores.advance(10_000)
        assert connection_state(kms, store_id) == "CONNECTING"
""",
    )
    result.assert_outcomes(passed=5)


def test_the_decorator_and_the_marker_merge_their_options(pytester: pytest.Pytester) -> None:
    result = run_inner(
        pytester,
        """
@pytest.mark.kms_keystores(account_id="210987654321")
@mock_kms_keystores(connect_delay=60)
def test_both(kms_keystores):
    assert kms_keystores.account_id == "210987654321"
    kms, store_id = connecting_store()
    assert kms_keystores.calls[0].account_id == "210987654321"
    kms_keystores.advance(60)
    assert connection_state(kms, store_id) == "CONNECTED"

@pytest.mark.kms_keystores(connect_delay=60, strict=False)
@mock_kms_keystores(connect_delay=60.0)
def test_the_same_value_in_both(kms_keystores):
    kms, store_id = connecting_store()
    assert connection_state(kms, store_id) == "CONNECTING"

@pytest.mark.kms_keystores(account_id="210987654321")
@mock_kms_keystores(connect_delay=60)
def test_marker_and_decorator_without_the_fixture():
    active = kmsmock.activation.current()
    assert active is not None
    assert active.options.account_id == "210987654321"
    assert active.options.connect_delay == 60
""",
    )
    result.assert_outcomes(passed=3)


def test_a_decorator_and_a_marker_that_disagree_raise_a_clear_error(
    pytester: pytest.Pytester,
) -> None:
    result = run_inner(
        pytester,
        """
@pytest.mark.kms_keystores(connect_delay=5)
@mock_kms_keystores(connect_delay=60)
def test_disagree(kms_keystores):
    pass

@pytest.mark.kms_keystores(region="eu-west-1")
@mock_kms_keystores(region="eu-west-2")
def test_disagree_without_the_fixture():
    pass
""",
    )
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(
        [
            "*OptionsConflictError: test_disagree: the kms_keystores marker and "
            "@mock_kms_keystores decorators configure one mock*conflicting: "
            "connect_delay=5.0 (@pytest.mark.kms_keystores(connect_delay=5.0)) and "
            "connect_delay=60.0 (@mock_kms_keystores(connect_delay=60.0))",
            "*OptionsConflictError: test_disagree_without_the_fixture: *"
            "region='eu-west-1' (@pytest.mark.kms_keystores(region='eu-west-1')) and "
            "region='eu-west-2' (@mock_kms_keystores(region='eu-west-2'))",
        ]
    )


# -- 2. the marker alone mocks the test ------------------------------------------------


def test_a_marked_test_is_mocked_without_asking_for_the_fixture(pytester: pytest.Pytester) -> None:
    result = run_inner(
        pytester,
        """
@pytest.fixture
def store():
    # Other fixtures already run with the mock active.
    assert kmsmock.activation.current() is not None
    return connecting_store()

@pytest.mark.kms_keystores(connect_delay=5)
def test_marked(store):
    active = kmsmock.activation.current()
    assert active is not None and active.options.connect_delay == 5
    kms, store_id = store
    assert connection_state(kms, store_id) == "CONNECTING"

@pytest.mark.kms_keystores(connect_delay=5)
class TestMarkedClass:
    def test_method(self):
        assert kmsmock.activation.current().options.connect_delay == 5

@pytest.mark.kms_keystores(strict=True)
class TestMarkedTestCase(unittest.TestCase):
    def setUp(self):
        assert kmsmock.activation.current().options.strict is True

    def test_method(self):
        assert kmsmock.activation.current().options.strict is True

@pytest.mark.kms_keystores("positional")
def test_marker_rejects_positional():
    pass

def test_unmarked_tests_stay_unmocked():
    assert kmsmock.activation.current() is None
""",
    )
    result.assert_outcomes(passed=4, errors=1)
    result.stdout.fnmatch_lines(["*keyword options only*"])


# -- 3. a decorated class reaches the handle as self.kms_keystores ----------------------


def test_a_module_marker_mocks_every_test_of_the_module(pytester: pytest.Pytester) -> None:
    result = run_inner(
        pytester,
        """
pytestmark = pytest.mark.kms_keystores(account_id="210987654321")

def test_one():
    assert kmsmock.activation.current().options.account_id == "210987654321"

@pytest.mark.kms_keystores(connect_delay=None)
def test_the_closest_marker_wins(kms_keystores):
    assert kms_keystores.account_id == "123456789012"
""",
    )
    result.assert_outcomes(passed=2)


def test_a_decorated_test_case_has_the_handle_as_self_kms_keystores_under_unittest() -> None:
    seen: list[KmsKeystores] = []

    @mock_kms_keystores(connect_delay=None)
    class Case(unittest.TestCase):
        def setUp(self) -> None:
            seen.append(self.kms_keystores)
            self.kms = boto3.client("kms", region_name="us-east-1")
            self.store_id = create_cloudhsm(self.kms)

        def tearDown(self) -> None:
            seen.append(self.kms_keystores)

        def test_one(self) -> None:
            self.kms.connect_custom_key_store(CustomKeyStoreId=self.store_id)
            self.assertEqual(state(self.kms, self.store_id), "CONNECTING")
            self.kms_keystores.settle()
            self.assertEqual(state(self.kms, self.store_id), "CONNECTED")
            seen.append(self.kms_keystores)

        def test_two(self) -> None:
            self.assertEqual(len(self.kms_keystores.calls), 1)  # fresh state: only setUp's call
            seen.append(self.kms_keystores)

    suite = unittest.TestLoader().loadTestsFromTestCase(Case)
    result = unittest.TestResult()
    suite.run(result)
    assert result.errors == [] and result.failures == [], result.errors + result.failures
    assert result.testsRun == 2
    assert len(seen) == 6 and all(isinstance(handle, KmsKeystores) for handle in seen)
    assert seen[0] is seen[1] is seen[2] and seen[3] is seen[4] is seen[5]
    assert seen[0] is not seen[3]  # each test its own activation
    for test in suite:
        assert not hasattr(test, "kms_keystores")  # gone once the test has run
    assert kmsmock.activation.depth() == 0


def test_a_decorated_plain_class_has_the_handle_as_self_kms_keystores(
    pytester: pytest.Pytester,
) -> None:
    result = run_inner(
        pytester,
        """
@mock_kms_keystores(account_id="111122223333")
class TestPlain:
    def setup_method(self, method):
        assert self.kms_keystores.account_id == "111122223333"

    def teardown_method(self, method):
        assert self.kms_keystores.account_id == "111122223333"

    def test_it(self):
        assert self.kms_keystores.account_id == "111122223333"
        boto3.client("kms", region_name="us-east-1").describe_custom_key_stores()
        assert self.kms_keystores.calls[0].account_id == "111122223333"

@mock_kms_keystores(connect_delay=None)
class TestCaseUnderPytest(unittest.TestCase):
    def test_it(self):
        kms, store_id = connecting_store()
        self.kms_keystores.advance(10_000)
        assert connection_state(kms, store_id) == "CONNECTING"

@pytest.mark.kms_keystores(account_id="210987654321")
@mock_kms_keystores(connect_delay=None)
class TestCaseMarkedAndDecorated(unittest.TestCase):
    def test_it(self):
        assert self.kms_keystores.account_id == "210987654321"
        kms, store_id = connecting_store()
        self.kms_keystores.advance(10_000)
        assert connection_state(kms, store_id) == "CONNECTING"
""",
    )
    result.assert_outcomes(passed=3)


def test_a_decorated_class_restores_an_attribute_of_the_same_name() -> None:
    @mock_kms_keystores
    class Case(unittest.TestCase):
        def test_it(self) -> None:
            assert isinstance(self.kms_keystores, KmsKeystores)

    test = Case("test_it")
    test.kms_keystores = "mine"  # type: ignore[attr-defined]
    result = unittest.TestResult()
    test.run(result)
    assert result.wasSuccessful(), result.errors + result.failures
    assert test.kms_keystores == "mine"  # type: ignore[attr-defined]


def test_nested_decorators_outside_pytest_still_refuse_conflicting_options() -> None:
    @mock_kms_keystores(connect_delay=60)
    def body(kms_keystores: KmsKeystores) -> None:
        pass

    with mock_kms_keystores(), pytest.raises(OptionsConflictError, match="connect_delay"):
        body()


# -- the documentation's examples ------------------------------------------------------

ENTRY_POINTS = Path(__file__).parent.parent / "docs" / "entry-points.md"


def doc_examples(*sections: str) -> list[str]:
    """The ```python blocks (dedented) of these sections of docs/entry-points.md."""
    text = ENTRY_POINTS.read_text()
    blocks = []
    for section in sections:
        start = text.index(f"\n## {section}\n")
        body = text[start : text.index("\n## ", start + 1)]
        blocks += [
            textwrap.dedent(block)
            for _, block in re.findall(r"^( *)```python\n(.*?)^\1```", body, re.M | re.S)
        ]
    return blocks


def test_the_decorator_and_pytest_examples_of_the_docs_run(pytester: pytest.Pytester) -> None:
    blocks = doc_examples("Decorator", "pytest")
    assert len(blocks) == 4
    assert any("class TestConnect(unittest.TestCase)" in block for block in blocks)
    result = run_inner(pytester, "\n\n".join(blocks))
    result.assert_outcomes(passed=7)
