"""Values made ahead in batches: each handed out once, across threads and forks."""

from __future__ import annotations

import itertools
import os
import select
import signal
import sys
import threading
from typing import Any

import pytest

from kmsmock.prepared import Prepared


def _counting_supply(batch: int = 7) -> Prepared[int]:
    numbers = itertools.count()
    return Prepared(lambda: [next(numbers) for _ in range(batch)])


def test_values_come_in_order_and_batches_refill() -> None:
    supply = _counting_supply()
    taken = [supply.take() for _ in range(20)]
    assert taken == list(range(20))


def test_the_fast_idiom_refills_when_the_batch_runs_out() -> None:
    supply = _counting_supply(batch=2)
    taken = []
    for _ in range(5):
        try:
            value = supply.pop()
        except IndexError:
            value = supply.refill()
        taken.append(value)
    assert taken == [0, 1, 2, 3, 4]


def test_threads_never_share_a_value() -> None:
    supply = _counting_supply(batch=3)
    seen: list[int] = []
    lock = threading.Lock()

    def work() -> None:
        mine = [supply.take() for _ in range(2000)]
        with lock:
            seen.extend(mine)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(seen) == list(range(len(seen)))


@pytest.mark.skipif(not hasattr(os, "fork") or sys.platform == "darwin", reason="needs fork")
def test_a_forked_child_drops_its_parents_batch(kms: Any) -> None:
    # Request ids are prepared in batches: a forked child must not answer with
    # the ids its parent had made ahead, nor reuse the parent's GCM nonces.
    parent_ids = {kms.list_keys()["ResponseMetadata"]["RequestId"] for _ in range(3)}
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report the id of its first answer
        try:
            os.write(write, kms.list_keys()["ResponseMetadata"]["RequestId"].encode())
        finally:
            os._exit(0)
    os.close(write)
    try:  # a child stuck on a lock some other thread held at fork must not hang the run
        ready, _, _ = select.select([read], [], [], 30)
        child_id = os.read(read, 100).decode() if ready else ""
    finally:
        os.close(read)
        if not ready:
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    next_parent_id = kms.list_keys()["ResponseMetadata"]["RequestId"]
    assert child_id
    assert child_id not in parent_ids
    assert child_id != next_parent_id
