"""The mock clock follows freezegun and time-machine, and ``ks.advance`` adds to them."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

import boto3
import freezegun
import pytest
import time_machine

from kmsmock import mock_kms_keystores

DAY = 86400
UTC = datetime.timezone.utc
FROZEN = datetime.datetime(2030, 1, 1, tzinfo=UTC)


def _freezegun() -> AbstractContextManager[Any]:
    return freezegun.freeze_time("2030-01-01")


def _time_machine() -> AbstractContextManager[Any]:
    return time_machine.travel(FROZEN, tick=False)


FREEZERS = pytest.mark.parametrize(
    "freeze", [_freezegun, _time_machine], ids=["freezegun", "time-machine"]
)


def _schedule(kms: Any, days: int) -> dict[str, Any]:
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    answer: dict[str, Any] = kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=days)
    return answer


@FREEZERS
def test_a_deletion_scheduled_in_frozen_time_is_due_in_frozen_time(
    freeze: Callable[[], AbstractContextManager[Any]],
) -> None:
    with mock_kms_keystores() as ks, freeze():
        kms = boto3.client("kms", region_name="us-east-1")
        key = kms.create_key()["KeyMetadata"]
        assert key["CreationDate"] == FROZEN
        answer = kms.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=7)
        assert answer["DeletionDate"] == FROZEN + datetime.timedelta(days=7)
        assert answer["DeletionDate"].year == 2030
        assert ks.now() == FROZEN.timestamp()


@FREEZERS
def test_advance_adds_to_frozen_time(freeze: Callable[[], AbstractContextManager[Any]]) -> None:
    with mock_kms_keystores() as ks, freeze():
        kms = boto3.client("kms", region_name="us-east-1")
        first = _schedule(kms, 7)
        ks.advance(3 * DAY)
        assert ks.now() == FROZEN.timestamp() + 3 * DAY
        second = _schedule(kms, 30)
        assert second["DeletionDate"] == FROZEN + datetime.timedelta(days=33)
        # The first key is due at frozen time + 7 days: 3 days have passed, 4 remain.
        ks.advance(4 * DAY - 1)
        assert kms.describe_key(KeyId=first["KeyId"])["KeyMetadata"]["KeyState"] == (
            "PendingDeletion"
        )
        ks.advance(1)
        with pytest.raises(kms.exceptions.NotFoundException):
            kms.describe_key(KeyId=first["KeyId"])


@FREEZERS
def test_time_frozen_before_the_mock_started_is_followed(
    freeze: Callable[[], AbstractContextManager[Any]],
) -> None:
    with freeze(), mock_kms_keystores() as ks:
        kms = boto3.client("kms", region_name="us-east-1")
        assert _schedule(kms, 7)["DeletionDate"] == FROZEN + datetime.timedelta(days=7)
        assert ks.now() == FROZEN.timestamp()


@pytest.fixture
def travelling() -> Iterator[None]:
    """time-machine moving time to 2030 and letting it tick on from there."""
    with time_machine.travel(FROZEN, tick=True):
        yield


def test_time_moved_but_ticking_is_followed(travelling: None) -> None:
    with mock_kms_keystores():
        kms = boto3.client("kms", region_name="us-east-1")
        answer = _schedule(kms, 7)
        assert answer["DeletionDate"].year == 2030
        assert FROZEN + datetime.timedelta(days=7) <= answer["DeletionDate"]
        assert answer["DeletionDate"] < FROZEN + datetime.timedelta(days=8)


def test_freezegun_moving_time_moves_the_mock_clock() -> None:
    with freezegun.freeze_time("2030-01-01") as frozen, mock_kms_keystores() as ks:
        kms = boto3.client("kms", region_name="us-east-1")
        frozen.tick(datetime.timedelta(days=2))
        ks.advance(DAY)
        assert ks.now() == FROZEN.timestamp() + 3 * DAY
        assert _schedule(kms, 7)["DeletionDate"] == FROZEN + datetime.timedelta(days=10)


def test_the_clock_reads_wall_time_again_once_time_is_unfrozen() -> None:
    with mock_kms_keystores() as ks:
        with freezegun.freeze_time("2030-01-01"):
            assert ks.now() == FROZEN.timestamp()
        assert ks.now() < FROZEN.timestamp()
