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
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
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
