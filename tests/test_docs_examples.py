"""The examples of docs/entry-points.md and docs/testing-failures.md run as they are written."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path
from typing import Any

import boto3
import pytest
from kms_helpers import create_cloudhsm

DOCS = Path(__file__).parent.parent / "docs"
_BLOCK = re.compile(r"^( *)```python\n(.*?)^\1```", flags=re.DOTALL | re.MULTILINE)


def python_blocks(page: str) -> list[str]:
    """Every ```python block of a docs page, in order, dedented (some sit in list items)."""
    text = (DOCS / page).read_text()
    return [textwrap.dedent(body) for _, body in _BLOCK.findall(text)]


def test_the_entry_point_examples_run(pytester: pytest.Pytester) -> None:
    preamble = (
        "import unittest\n\nimport boto3\nimport pytest\n\nfrom kmsmock import mock_kms_keystores\n"
    )
    pytester.makepyfile(
        test_entry_points_examples="\n\n".join([preamble, *python_blocks("entry-points.md")])
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    # test_create, test_slow_connect, TestConnect.test_connect, test_default,
    # test_configured, test_marked_only and test_both
    result.assert_outcomes(passed=7)


def test_the_testing_failures_examples_run(kms_keystores: Any) -> None:
    kms = boto3.client("kms", region_name="us-east-1")
    store_id = create_cloudhsm(kms)  # the store the examples' fault controls name
    kms.describe_custom_key_stores(CustomKeyStoreId=store_id)
    namespace: dict[str, Any] = {"ks": kms_keystores, "kms": kms, "store_id": store_id}
    blocks = python_blocks("testing-failures.md")
    assert len(blocks) >= 4
    for block in blocks:
        exec(compile(block, "docs/testing-failures.md", "exec"), namespace)
    assert namespace["credential"]["RawSecretAccessKey"]  # the recipe gave a credential


def test_the_server_examples_run(pytester: pytest.Pytester) -> None:
    # In fresh processes: an in-process pytester run forgets the kmsmock modules it
    # imported, and modules imported twice make classes isinstance() cannot match.
    in_a_block, fixture_test = python_blocks("server.md")
    pytester.makepyfile(server_example=in_a_block, test_server_example=fixture_test)
    assert pytester.runpython(pytester.path / "server_example.py").ret == 0
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "test_server_example.py")
    result.assert_outcomes(passed=1)


def _blocks(page: str, fence: str) -> list[str]:
    text = (DOCS / page).read_text()
    return re.findall(rf"^```{fence}\n(.*?)^```", text, flags=re.DOTALL | re.MULTILINE)


def _unvarying(text: str) -> str:
    """The text without what differs from run to run: store ids, dates, line breaks."""
    text = re.sub(r"cks-[0-9a-f]{17}", "cks-ID", text)
    text = re.sub(r"datetime\.datetime\([^)]*\)\)?", "DATE", text)
    return " ".join(text.split())


def test_the_getting_started_page_shows_what_kmsmock_answers() -> None:
    import pprint

    from kmsmock import mock_kms_keystores

    shown_response = _blocks("getting-started.md", "python")[-1]
    [shown_error] = _blocks("getting-started.md", "text")
    with mock_kms_keystores(connect_delay=None, disconnect_delay=None) as ks:
        kms = boto3.client("kms", region_name="us-east-1")
        store_id = kms.create_custom_key_store(
            CustomKeyStoreName="ExampleKeyStore",
            CloudHsmClusterId="cluster-234567abcdef",
            TrustAnchorCertificate="<contents of customerCA.crt>",
            KeyStorePassword="kmsPassword",
        )["CustomKeyStoreId"]
        kms.connect_custom_key_store(CustomKeyStoreId=store_id)
        response = kms.describe_custom_key_stores(CustomKeyStoreId=store_id)
        response.pop("ResponseMetadata")
        ks.settle()
        kms.disconnect_custom_key_store(CustomKeyStoreId=store_id)
        with pytest.raises(kms.exceptions.CustomKeyStoreInvalidStateException) as refused:
            kms.connect_custom_key_store(CustomKeyStoreId=store_id)
    assert _unvarying(pprint.pformat(response, sort_dicts=False, width=90)) == _unvarying(
        shown_response
    )
    error = f"{type(refused.value).__module__}.{type(refused.value).__name__}: {refused.value}"
    assert _unvarying(error) == _unvarying(shown_error)


def test_the_first_tests_of_the_home_and_getting_started_pages_pass(
    pytester: pytest.Pytester,
) -> None:
    [home] = python_blocks("index.md")
    first_test = python_blocks("getting-started.md")[0]
    pytester.makepyfile(test_home=home, test_getting_started=first_test)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


GUIDES = ["guides/time.md", "guides/accounts-and-regions.md", "guides/moto.md"]


@pytest.mark.parametrize("page", [*GUIDES, "guides/pytest-plugin.md"])
def test_the_guides_examples_run(pytester: pytest.Pytester, page: str) -> None:
    # Each page's blocks, in order, as one module: its top-level code runs when pytest
    # imports it, and the tests it defines run.
    blocks = python_blocks(page)
    assert blocks, page
    pytester.makepyfile(test_guide="\n\n".join(blocks))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    outcomes = result.parseoutcomes()
    assert outcomes.get("error", 0) == outcomes.get("errors", 0) == 0, result.stdout.str()
    assert outcomes.get("failed", 0) == 0, result.stdout.str()
    assert result.ret in (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED)
