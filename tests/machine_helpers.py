"""What the model-based tests share: running one chunk of a machine's sequences.

Each machine runs as several tests (chunks), so that xdist can spread them
over its workers, each with a fixed seed, so that CI never flakes. Every
chunk drives kmsmock through a boto3 client made with a mock's fake
credentials, which act as the mock's default account in every activation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import boto3
import time_machine
from hypothesis import seed, settings
from hypothesis.stateful import RuleBasedStateMachine, run_state_machine_as_test
from material_helpers import FROZEN

from kmsmock import KmsKeystores, MockKmsKeystores, mock_kms_keystores


class MockedMachine(RuleBasedStateMachine):
    """A machine that drives a mock of its own through the boto3 client its test sets."""

    kms: ClassVar[Any] = None  # the boto3 client, set by run_chunk
    counts: ClassVar[dict[str, int]] = {}  # set by run_chunk

    def __init__(self) -> None:
        super().__init__()
        self.mock: MockKmsKeystores | None = None
        self.ks: KmsKeystores | None = None


class FrozenClockMachine(MockedMachine):
    """A mocked machine whose wall clock stands still: only ``ks.advance`` moves time."""

    def begin(self) -> KmsKeystores:
        """Freeze the wall clock, start the mock, and count a new sequence."""
        self.travel = time_machine.travel(FROZEN, tick=False)
        self.travel.start()
        self.mock = mock_kms_keystores()
        self.ks = self.mock.start()
        self.start_time = self.ks.now()
        self.counts["sequences"] += 1
        return self.ks

    def teardown(self) -> None:
        """Stop the mock, then let the wall clock run again."""
        if self.mock is not None:
            self.mock.stop()
            self.travel.stop()


def run_chunk(
    machine: type[MockedMachine],
    chunk: int,
    *,
    sequences: int,
    steps: int,
    report: Callable[[str, int], None],
    label: str,
    counts: dict[str, int] | None = None,
) -> dict[str, int]:
    """Run ``sequences`` random sequences of ``machine``, and report its counts under ``label``."""
    with mock_kms_keystores() as ks:
        kms: Any = boto3.client("kms", region_name="us-east-1", **ks.credentials())
    counts = {"sequences": 0, "steps": 0} if counts is None else counts
    seeded = seed(chunk)(
        type(f"{machine.__name__}{chunk}", (machine,), {"kms": kms, "counts": counts})
    )
    run_state_machine_as_test(
        seeded, settings=settings(max_examples=sequences, stateful_step_count=steps)
    )
    assert counts["sequences"] >= sequences
    for name, value in counts.items():
        report(f"{label}: {name}", value)
    return counts
