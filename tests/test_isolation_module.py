"""Isolation with a module-scoped activation: its tests share it, and it ends with the module.

tests/conftest.py checks that no activation survives a module, and
tests/test_isolation.py that none of this module's state shows up elsewhere.
These tests hold in any order and on any xdist worker.
"""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from kms_helpers import cluster_id, create_cloudhsm

import kmsmock.activation
from kmsmock import KmsKeystores, mock_kms_keystores

NAMES = frozenset({"module-a", "module-b", "module-c"})


@pytest.fixture(scope="module", autouse=True)
def module_ks() -> Iterator[KmsKeystores]:
    with mock_kms_keystores(connect_delay=None) as ks:
        yield ks


def names() -> set[str]:
    kms = boto3.client("kms", region_name="us-east-1")
    return {
        store["CustomKeyStoreName"] for store in kms.describe_custom_key_stores()["CustomKeyStores"]
    }


@pytest.mark.parametrize(("index", "name"), list(enumerate(sorted(NAMES))))
def test_the_module_activation_is_shared_by_its_tests_only(index: int, name: str) -> None:
    assert kmsmock.activation.depth() == 1
    create_cloudhsm(
        boto3.client("kms", region_name="us-east-1"), name=name, CloudHsmClusterId=cluster_id(index)
    )
    assert {name} <= names() <= NAMES


def test_a_function_fixture_joins_the_module_activation(
    module_ks: KmsKeystores, kms_keystores: KmsKeystores
) -> None:
    assert kmsmock.activation.depth() == 2
    assert kms_keystores.calls == module_ks.calls
    assert names() <= NAMES


def test_a_nested_mock_with_other_options_is_refused_and_changes_nothing() -> None:
    before = names()
    with pytest.raises(kmsmock.OptionsConflictError):
        mock_kms_keystores(connect_delay=5).start()
    assert kmsmock.activation.depth() == 1
    assert names() == before
