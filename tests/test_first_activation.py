"""The first activation loads no simulation: the domain loads with its first use.

A test that starts the mock and never calls KMS, and every pytest-xdist
worker's first activation, pay only for the transports. The first request or
the first use of the handle makes the simulated KMS, once, whichever thread
gets there first.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading

import boto3
import pytest
from botocore.exceptions import ClientError

import kmsmock.activation
from kmsmock import mock_kms_keystores

DOMAIN_MODULES = ("kmsmock.domain.kms", "kmsmock.domain.keys", "kmsmock.api.key_operations")


def run_fresh(code: str) -> str:
    """Run ``code`` in a fresh interpreter (boto3 first, as a test module does)."""
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_a_start_and_stop_load_no_domain_and_the_first_request_does() -> None:
    out = run_fresh(
        f"""
        import sys, boto3
        boto3.client("kms", region_name="us-east-1")
        import kmsmock
        domain = {DOMAIN_MODULES!r}
        with kmsmock.mock_kms_keystores():
            pass
        print([m for m in domain if m in sys.modules])
        with kmsmock.mock_kms_keystores():
            key = boto3.client("kms", region_name="us-east-1").create_key()
        print([m for m in domain if m in sys.modules], key["KeyMetadata"]["KeyState"])
        """
    )
    assert out.splitlines() == ["[]", f"{list(DOMAIN_MODULES)} Enabled"]


def test_the_handle_used_before_any_request_arranges_the_world_requests_see() -> None:
    with mock_kms_keystores() as ks:
        ks.cloudhsm_cluster("cluster-234567abcdef", hsms=1)  # before the simulated KMS exists
        kms = boto3.client("kms", region_name=ks.region)
        with pytest.raises(ClientError) as refused:
            kms.create_custom_key_store(
                CustomKeyStoreName="first-use",
                CloudHsmClusterId="cluster-234567abcdef",
                TrustAnchorCertificate="certificate",
                KeyStorePassword="kmsPassword",
            )
        error = refused.value.response["Error"]
        assert error["Code"] == "CloudHsmClusterInvalidConfigurationException"
        assert "it has 1 in 1" in error["Message"]


def test_a_reset_before_any_request_leaves_a_working_mock() -> None:
    with mock_kms_keystores() as ks:
        ks.reset()
        assert ks.calls == []
        kms = boto3.client("kms", region_name=ks.region)
        key_id = kms.create_key()["KeyMetadata"]["KeyId"]
        assert [k["KeyId"] for k in kms.list_keys()["Keys"]] == [key_id]


def test_threads_racing_to_the_first_use_share_one_simulated_kms() -> None:
    threads_count = 8
    barrier = threading.Barrier(threads_count)
    seen: list[int] = []
    with mock_kms_keystores():
        simulation = kmsmock.activation.current()
        assert simulation is not None

        def first_use() -> None:
            barrier.wait()
            seen.append(id(simulation.kms))

        threads = [threading.Thread(target=first_use) for _ in range(threads_count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(seen) == threads_count
        assert set(seen) == {id(simulation.kms)}
