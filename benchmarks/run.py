"""kmsmock's benchmark: per-call cost against botocore's floor and moto, fixed costs, scale.

Run from a checkout with the dev extra installed::

    python benchmarks/run.py            # about three minutes
    python benchmarks/run.py --quick    # fewer rounds, for a smoke run (half a minute)
    python benchmarks/run.py --check    # exit 1 if a target is missed

Everything is measured in one process, as the CPU time of the calling thread
(so the load other processes put on a shared machine adds less noise), with
rounds interleaved: each round
times a batch of calls against the floor, then kmsmock, then moto, so load
on a shared machine hits all three alike (floor and kmsmock swap places every
round). A ratio is the median, over rounds, of the ratio within each round.

- floor: botocore's own cost for the call, answered at ``before-send`` by a
  canned response (the very body and headers kmsmock answers) with no
  backend, made as cheaply as a before-send answer can be: the response parts
  are ready, and botocore's ``AWSResponse`` wraps them, as it does kmsmock's;
- kmsmock: the call answered by an active ``mock_kms_keystores``;
- moto: the call answered by moto's ``mock_aws`` (where moto implements it).

The floor is in ``floor.py``, the fixed costs and the scale measurement in
``fixed_costs.py``. Setup that would take minutes through the API (100,000
keys for the scale measurement) goes through kmsmock's domain layer directly.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import boto3
import botocore
from chart import write_chart
from fixed_costs import (
    measure_enter_exit,
    measure_first_activation,
    measure_import,
    measure_scale,
)
from floor import REGION, Floor, capture, timed_batch, without_kmsmock, without_moto

import kmsmock
from kmsmock import mock_kms_keystores


@dataclass
class Case:
    """One measured operation: the same call against the floor, kmsmock and moto."""

    name: str
    kmsmock_call: Callable[[], Any]
    floor_call: Callable[[], Any]
    moto_call: Callable[[], Any] | None = None
    moto_batch: int | None = None
    floor_target: float | None = 1.10
    """The most kmsmock/floor may be; None where kmsmock does cryptography the floor skips."""
    samples: dict[str, list[float]] = field(
        default_factory=lambda: {"floor": [], "kmsmock": [], "moto": []}
    )


def build_cases(ks: Any, moto_ctx: Any) -> list[Case]:
    kms = without_moto(boto3.client("kms", region_name=REGION))
    moto_kms = without_kmsmock(boto3.client("kms", region_name=REGION))
    cases: list[Case] = []

    def add(
        name: str,
        call: Callable[[Any], Any],
        moto: Callable[[Any], Any] | None = None,
        moto_batch: int | None = None,
        floor_target: float | None = 1.10,
    ) -> None:
        floor = Floor()
        floor.can(capture(kms, call))  # also warms the path
        cases.append(
            Case(
                name,
                kmsmock_call=lambda: call(kms),
                floor_call=lambda: call(floor.client),
                moto_call=None if moto is None else (lambda: moto(moto_kms)),
                moto_batch=moto_batch,
                floor_target=floor_target,
            )
        )

    # Custom key stores (moto raises NotImplementedError for all of them).
    stores = []
    for n in range(3):
        stores.append(
            kms.create_custom_key_store(
                CustomKeyStoreName=f"bench-{n}",
                CloudHsmClusterId=f"cluster-234567abcde{'fgh'[n]}",
                TrustAnchorCertificate="certificate",
                KeyStorePassword="kmsPassword",
            )["CustomKeyStoreId"]
        )
    cycling = stores[1]
    hsm_store = stores[0]
    kms.connect_custom_key_store(CustomKeyStoreId=hsm_store)
    kms.describe_custom_key_stores()

    add("DescribeCustomKeyStores", lambda c: c.describe_custom_key_stores())

    def connect_disconnect(client: Any) -> None:
        client.connect_custom_key_store(CustomKeyStoreId=cycling)
        client.disconnect_custom_key_store(CustomKeyStoreId=cycling)

    add("ConnectCustomKeyStore + Disconnect", connect_disconnect)
    add(
        "CreateKey (CloudHSM key store)",
        lambda c: c.create_key(CustomKeyStoreId=hsm_store, Origin="AWS_CLOUDHSM"),
    )
    add("CreateKey (standard)", lambda c: c.create_key(), lambda m: m.create_key(), moto_batch=3)

    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    moto_key = moto_kms.create_key()["KeyMetadata"]["KeyId"]
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"benchmark data")["CiphertextBlob"]
    moto_blob = moto_kms.encrypt(KeyId=moto_key, Plaintext=b"benchmark data")["CiphertextBlob"]
    add(
        "DescribeKey",
        lambda c: c.describe_key(KeyId=key_id),
        lambda m: m.describe_key(KeyId=moto_key),
    )
    add(
        "Encrypt",
        lambda c: c.encrypt(KeyId=key_id, Plaintext=b"benchmark data"),
        lambda m: m.encrypt(KeyId=moto_key, Plaintext=b"benchmark data"),
    )
    add(
        "Decrypt",
        lambda c: c.decrypt(CiphertextBlob=blob),
        lambda m: m.decrypt(CiphertextBlob=moto_blob),
    )
    add(
        "GenerateDataKey",
        lambda c: c.generate_data_key(KeyId=key_id, KeySpec="AES_256"),
        lambda m: m.generate_data_key(KeyId=moto_key, KeySpec="AES_256"),
    )
    add_asymmetric_cases(kms, moto_kms, add)
    for _ in range(120):
        moto_kms.create_key()
        kms.create_key()
    add("ListKeys (a page of 100)", lambda c: c.list_keys(), lambda m: m.list_keys(Limit=100))
    return cases


ASYMMETRIC = {"RSA_2048": "RSASSA_PSS_SHA_256", "ECC_NIST_P256": "ECDSA_SHA_256"}
"""The asymmetric keys measured beside moto (which signs with both), and their algorithm."""


def add_asymmetric_cases(kms: Any, moto_kms: Any, add: Callable[..., None]) -> None:
    """CreateKey, Sign and Verify of RSA and ECC signing keys.

    Sign and Verify do real RSA and ECDSA work that the floor (a canned
    answer) does not, so kmsmock/floor has no target there; moto does the
    same work, so moto/kmsmock does.
    """
    for spec, algorithm in ASYMMETRIC.items():
        add_signing_key_cases(kms, moto_kms, add, spec, algorithm)


def add_signing_key_cases(
    kms: Any, moto_kms: Any, add: Callable[..., None], spec: str, algorithm: str
) -> None:
    """The cases of one kind of signing key."""
    kind = {"KeySpec": spec, "KeyUsage": "SIGN_VERIFY"}
    add(
        f"CreateKey ({spec})",
        lambda c: c.create_key(**kind),
        lambda m: m.create_key(**kind),
        moto_batch=3,
    )
    key_id = kms.create_key(**kind)["KeyMetadata"]["KeyId"]
    moto_key = moto_kms.create_key(**kind)["KeyMetadata"]["KeyId"]
    signing = {"Message": b"benchmark data", "SigningAlgorithm": algorithm}
    signature = kms.sign(KeyId=key_id, **signing)["Signature"]
    moto_signature = moto_kms.sign(KeyId=moto_key, **signing)["Signature"]
    add(
        f"Sign ({spec})",
        lambda c: c.sign(KeyId=key_id, **signing),
        lambda m: m.sign(KeyId=moto_key, **signing),
        floor_target=None,
    )
    add(
        f"Verify ({spec})",
        lambda c: c.verify(KeyId=key_id, Signature=signature, **signing),
        lambda m: m.verify(KeyId=moto_key, Signature=moto_signature, **signing),
        floor_target=None,
    )


def measure_per_call(rounds: int, batch: int) -> list[Case]:
    import moto

    with mock_kms_keystores() as ks, moto.mock_aws() as moto_ctx:
        cases = build_cases(ks, moto_ctx)
        for round_number in range(rounds):
            for case in cases:
                # Alternate which side goes first, so a drift in load favours neither.
                sides = [("floor", case.floor_call), ("kmsmock", case.kmsmock_call)]
                for side, call in sides if round_number % 2 else reversed(sides):
                    case.samples[side].append(timed_batch(call, batch))
                if case.moto_call is not None:
                    size = case.moto_batch or batch
                    case.samples["moto"].append(timed_batch(case.moto_call, size))
    return cases


def _round_ratios(case: Case, over: str, under: str) -> list[float]:
    """Each round's ratio of one side's time over the other's, measured side by side."""
    return [
        mine / theirs for mine, theirs in zip(case.samples[over], case.samples[under], strict=False)
    ]


def paired_ratio(case: Case, over: str, under: str) -> float:
    """The median over rounds of one side's time over the other's, measured side by side."""
    return statistics.median(_round_ratios(case, over, under))


def paired_spread(case: Case, over: str, under: str) -> tuple[float, float]:
    """The middle half of the rounds' ratios (first and third quartiles): the noise."""
    low, _, high = statistics.quantiles(_round_ratios(case, over, under), n=4)
    return low, high


class Report:
    """Prints results beside their targets and remembers the misses."""

    def __init__(self) -> None:
        self.misses: list[str] = []

    def verdict(self, ok: bool, what: str) -> str:
        if not ok:
            self.misses.append(what)
        return "ok" if ok else "MISSED"

    def per_call(self, cases: list[Case]) -> None:
        print("\nPer-call cost (median µs per call)")
        print(
            f"{'operation':36} {'floor':>7} {'kmsmock':>8} {'moto':>8}  "
            f"{'kmsmock/floor':>13} {'middle half':>11} (≤1.10)  {'moto/kmsmock':>12} (target)"
        )
        for case in cases:
            floor = statistics.median(case.samples["floor"])
            ours = statistics.median(case.samples["kmsmock"])
            ratio = paired_ratio(case, "kmsmock", "floor")
            low, high = paired_spread(case, "kmsmock", "floor")
            verdict = (
                "n/a"
                if case.floor_target is None
                else self.verdict(ratio <= case.floor_target, case.name)
            )
            ratio_text = f"{ratio:13.3f} {low:5.3f}-{high:5.3f} {verdict:>7}"
            if not case.samples["moto"]:
                print(f"{case.name:36} {floor:7.0f} {ours:8.0f} {'n/a':>8}  {ratio_text}")
                continue
            theirs = statistics.median(case.samples["moto"])
            speedup = paired_ratio(case, "moto", "kmsmock")
            target = FASTER_THAN_MOTO.get(case.name)
            mark = ""
            if target:
                mark = f"(≥{target:g}) {self.verdict(speedup >= target, case.name + ' vs moto')}"
            print(
                f"{case.name:36} {floor:7.0f} {ours:8.0f} {theirs:8.0f}  {ratio_text}  "
                f"{speedup:12.2f} {mark}"
            )

    def fixed(
        self,
        enter_exit: tuple[float, float],
        imports: tuple[float, float],
        first: tuple[float, float],
    ) -> None:
        ours, theirs = enter_exit
        import_ours, import_moto = imports
        activation, with_request = first
        print("\nFixed costs")
        print(
            f"mock enter + exit          {ours:8.1f} µs   (≤200 µs) "
            f"{self.verdict(ours <= 200, 'enter+exit')}   moto mock_aws: {theirs:8.1f} µs"
        )
        print(
            f"import kmsmock after boto3 {import_ours:8.1f} ms   (≤50 ms)  "
            f"{self.verdict(import_ours <= 50, 'import')}   "
            f"import moto after boto3: {import_moto:6.1f} ms"
        )
        print(
            f"first activation           {activation:8.1f} ms   (≤40 ms)  "
            f"{self.verdict(activation <= 40, 'first activation')}   "
            f"with its first request: {with_request:6.1f} ms"
        )

    def scale(self, results: dict[int, tuple[float, float]]) -> None:
        print("\nScale: per-page cost (µs) as the account grows")
        print(f"{'keys':>8} {'ListKeys page of 10':>20} {'DescribeCustomKeyStores':>24}")
        for size, (page, describe) in results.items():
            print(f"{size:8} {page:20.0f} {describe:24.0f}")
        for label, index in (("ListKeys", 0), ("DescribeCustomKeyStores", 1)):
            values = [value[index] for value in results.values()]
            spread = max(values) / min(values)
            ok = self.verdict(spread <= 1.5, label + " scale")
            print(f"{label} spread max/min {spread:.2f} (≤1.5) {ok}")


FASTER_THAN_MOTO = {
    "DescribeKey": 1.75,
    "Encrypt": 1.75,
    "Decrypt": 1.75,
    "CreateKey (standard)": 50.0,
    "CreateKey (RSA_2048)": 50.0,
    "CreateKey (ECC_NIST_P256)": 50.0,
    "Sign (RSA_2048)": 1.5,
    "Sign (ECC_NIST_P256)": 1.5,
    "Verify (RSA_2048)": 1.5,
    "Verify (ECC_NIST_P256)": 1.5,
}


def chart_rows(cases: list[Case]) -> list[tuple[str, dict[str, float]]]:
    """Each case's median µs per call, by series, as the chart draws them."""
    return [
        (
            case.name,
            {name: statistics.median(samples) for name, samples in case.samples.items() if samples},
        )
        for case in cases
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--chart", metavar="SVG", help="write the per-call chart there")
    args = parser.parse_args()
    rounds, batch = (5, 100) if args.quick else (21, 300)
    report = Report()
    print(
        f"kmsmock {kmsmock.__version__} benchmark: Python {platform.python_version()}, "
        f"botocore {botocore.__version__}, {os.cpu_count()} CPUs, {rounds} interleaved rounds"
    )
    cases = measure_per_call(rounds, batch)
    report.per_call(cases)
    if args.chart:
        write_chart(args.chart, chart_rows(cases), "Per call: botocore's floor, kmsmock and moto")
    runs = 5 if args.quick else 15
    report.fixed(measure_enter_exit(rounds), measure_import(runs), measure_first_activation(runs))
    sizes = [10, 100, 1_000, 10_000] if args.quick else [10, 100, 1_000, 10_000, 100_000]
    report.scale(measure_scale(sizes, rounds))
    if report.misses:
        print("\nMissed targets: " + ", ".join(report.misses))
    else:
        print("\nEvery target met.")
    return 1 if (report.misses and args.check) else 0


if __name__ == "__main__":
    sys.exit(main())
