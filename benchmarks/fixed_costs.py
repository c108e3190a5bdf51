"""Fixed costs: entering and leaving a mock, importing kmsmock, the first activation, scale.

Each is measured beside moto's where moto has the same thing; the import and
the first activation are measured in a fresh process each time.
"""

from __future__ import annotations

import functools
import statistics
import subprocess
import sys

import boto3
from floor import REGION, timed_batch

from kmsmock import mock_kms_keystores


def measure_enter_exit(rounds: int) -> tuple[float, float]:
    import moto

    mock = mock_kms_keystores()
    with mock:  # the first activation loads the simulation's modules
        pass
    moto_mock = moto.mock_aws()
    with moto_mock:
        pass

    def kmsmock_cycle() -> None:
        with mock:
            pass

    def moto_cycle() -> None:
        with moto_mock:
            pass

    ours, theirs = [], []
    for _ in range(rounds):
        ours.append(timed_batch(kmsmock_cycle, 200))
        theirs.append(timed_batch(moto_cycle, 5))
    return statistics.median(ours), statistics.median(theirs)


def measure_import(runs: int) -> tuple[float, float]:
    code = (
        "import time, boto3; t = time.perf_counter(); import {module}; "
        "print(time.perf_counter() - t)"
    )
    ours, moto_times = [], []
    for _ in range(runs):
        for module, sink in (("kmsmock", ours), ("moto", moto_times)):
            out = subprocess.run(
                [sys.executable, "-c", code.format(module=module)],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            sink.append(float(out) * 1000)
    return statistics.median(ours), statistics.median(moto_times)


_FIRST_ACTIVATION = """
import time, boto3
boto3.client("kms", region_name="us-east-1")  # boto3's default session exists, as in a test module
start = time.perf_counter()
import kmsmock
with kmsmock.mock_kms_keystores():
    activated = time.perf_counter()
    {request}
print((activated - start) * 1000, (time.perf_counter() - start) * 1000)
"""


def measure_first_activation(runs: int) -> tuple[float, float]:
    """A fresh process's first activation (import kmsmock after boto3, start, stop), in ms.

    Every pytest-xdist worker pays it. The second figure adds the first
    request, which loads the handlers and builds the operation's checks.
    """
    request = 'boto3.client("kms", region_name="us-east-1").list_keys()'
    activations, with_request = [], []
    for _ in range(runs):
        for code, sink in (
            (_FIRST_ACTIVATION.format(request="pass"), activations),
            (_FIRST_ACTIVATION.format(request=request), with_request),
        ):
            out = subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True
            ).stdout
            sink.append(float(out.split()[-1]))
    return statistics.median(activations), statistics.median(with_request)


def measure_scale(sizes: list[int], rounds: int) -> dict[int, tuple[float, float]]:
    """Per-page cost of ListKeys (10 keys, from the middle) and DescribeCustomKeyStores."""
    from kmsmock import activation
    from kmsmock.domain.keys import new_key

    results: dict[int, tuple[float, float]] = {}
    for size in sizes:
        with mock_kms_keystores():
            kms = boto3.client("kms", region_name=REGION)
            for n in range(3):
                kms.create_custom_key_store(
                    CustomKeyStoreName=f"s{n}",
                    CloudHsmClusterId=f"cluster-234567abcde{'fgh'[n]}",
                    TrustAnchorCertificate="c",
                    KeyStorePassword="kmsPassword",
                )
            simulation = activation.current()
            assert simulation is not None
            kms_state = simulation.kms
            with kms_state.lock:
                scope = kms_state.scope(simulation.account_id, REGION)
                now = kms_state.clock.now()
                for _ in range(size):
                    scope.add_key(
                        new_key(
                            account_id=scope.account_id,
                            region=REGION,
                            seq=scope.next_seq(),
                            now=now,
                        )
                    )
            marker = None
            walked = 0
            while walked < size // 2 - 100:
                page = (
                    kms.list_keys(Limit=1000, Marker=marker)
                    if marker
                    else kms.list_keys(Limit=1000)
                )
                walked += len(page["Keys"])
                marker = page.get("NextMarker")
            page_call = functools.partial(
                kms.list_keys, Limit=10, **({"Marker": marker} if marker else {})
            )
            pages, describes = [], []
            for _ in range(rounds):
                pages.append(timed_batch(page_call, 50))
                describes.append(timed_batch(kms.describe_custom_key_stores, 50))
            results[size] = (statistics.median(pages), statistics.median(describes))
    return results
