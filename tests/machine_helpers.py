"""What the model-based tests share: running one chunk of a machine's sequences.

Each machine runs as several tests (chunks), so that xdist can spread them
over its workers, each with a fixed seed, so that CI never flakes. Every
chunk drives kmsmock through a boto3 client made with a mock's fake
credentials, which act as the mock's default account in every activation.
"""

from __future__ import annotations

from typing import Any

import boto3
from hypothesis import seed, settings
from hypothesis.stateful import RuleBasedStateMachine, run_state_machine_as_test

from kmsmock import mock_kms_keystores


def run_chunk(
    machine: type[RuleBasedStateMachine],
    chunk: int,
    *,
    sequences: int,
    steps: int,
    counts: dict[str, int] | None = None,
) -> dict[str, int]:
    """Run ``sequences`` random sequences of ``machine``; its counts (at least "sequences")."""
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
    return counts
