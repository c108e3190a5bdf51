"""botocore retries kmsmock's answers as it would AWS's, and backs off on the mock clock.

botocore decides every retry, with its own delays; while the mock is active,
only the waiting changes: the mock clock moves forward by the delay instead of
the test sleeping through it. ``real_retry_sleep=True`` keeps the real sleep.
"""

from __future__ import annotations

import time
from typing import Any

import botocore.endpoint
import pytest
from botocore.config import Config
from kms_helpers import create_cloudhsm, state

from kmsmock import mock_kms_keystores


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Every real ``time.sleep`` of the test, recorded instead of slept."""
    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", slept.append)
    return slept


@pytest.mark.parametrize("mode", ["legacy", "standard"])
def test_throttles_are_retried_without_sleeping(
    make_client: Any, kms_keystores: Any, mode: str, sleeps: list[float]
) -> None:
    kms = make_client(config=Config(retries={"mode": mode, "max_attempts": 3}))
    kms_keystores.inject_error("ListKeys", "ThrottlingException", times=2)
    before = kms_keystores.now()
    answer = kms.list_keys()
    assert answer["ResponseMetadata"]["RetryAttempts"] == 2
    assert [call.error_code for call in kms_keystores.calls] == [
        "ThrottlingException",
        "ThrottlingException",
        None,
    ]
    assert sleeps == []  # nothing slept for real
    assert kms_keystores.now() > before  # the backoff moved the mock clock instead


def test_the_backoff_moves_the_mock_clock_by_botocores_delays(
    make_client: Any, kms_keystores: Any, monkeypatch: pytest.MonkeyPatch, sleeps: list[float]
) -> None:
    delays = iter([1.5, 4.0])
    monkeypatch.setattr(
        "botocore.retries.standard.ExponentialBackoff.delay_amount",
        lambda self, context: next(delays),
    )
    kms = make_client(config=Config(retries={"mode": "standard", "max_attempts": 3}))
    kms_keystores.inject_error("ListKeys", "ThrottlingException", times=2)
    first = kms_keystores.now()
    kms.list_keys()
    times = [call.time for call in kms_keystores.calls]
    assert times[1] - times[0] == pytest.approx(1.5, abs=0.5)
    assert times[2] - times[1] == pytest.approx(4.0, abs=0.5)
    assert kms_keystores.now() - first == pytest.approx(5.5, abs=0.5)
    assert sleeps == []


@pytest.mark.kms_keystores(connect_delay=10)
def test_a_connection_due_during_the_backoff_completes(
    make_client: Any, kms_keystores: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        "botocore.retries.standard.ExponentialBackoff.delay_amount", lambda self, context: 20.0
    )
    kms = make_client(config=Config(retries={"mode": "standard", "max_attempts": 2}))
    store_id = create_cloudhsm(kms)
    kms.connect_custom_key_store(CustomKeyStoreId=store_id)
    kms_keystores.inject_error("DescribeCustomKeyStores", "ThrottlingException")
    assert state(kms, store_id) == "CONNECTED"  # the retry came 20 s later on the mock clock


def test_real_retry_sleep_keeps_botocores_sleep(sleeps: list[float]) -> None:
    with mock_kms_keystores(real_retry_sleep=True) as ks:
        import boto3

        kms = boto3.client(
            "kms",
            region_name="us-east-1",
            config=Config(retries={"mode": "standard", "max_attempts": 2}),
        )
        ks.inject_error("ListKeys", "ThrottlingException")
        before = ks.now()
        kms.list_keys()
        assert len(sleeps) == 1 and sleeps[0] >= 0
        assert ks.now() - before < 1  # the mock clock did not jump


def test_a_request_kmsmock_did_not_answer_sleeps_for_real(
    kms_keystores: Any, sleeps: list[float]
) -> None:
    # botocore.endpoint's time is kmsmock's while the mock is active; a sleep that is
    # not a backoff before retrying one of kmsmock's answers is a real sleep.
    botocore.endpoint.time.sleep(0.25)
    assert sleeps == [0.25]


def test_the_patch_is_gone_after_the_mock_stops() -> None:
    before = botocore.endpoint.time
    with mock_kms_keystores():
        assert botocore.endpoint.time is not before
    assert botocore.endpoint.time is before
