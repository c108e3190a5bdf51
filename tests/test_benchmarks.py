"""The benchmark scripts still run against the current kmsmock (no timing is checked here).

Timings do not belong in tests; these run each measurement for one round of
a couple of calls, so a change to kmsmock that breaks a benchmark fails here
rather than when someone next measures. The answers the benchmarks' own
stand-ins give are checked against botocore's model like every other answer.
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import floor as floor_module
import lower_bound
import run


def test_the_lower_bound_measures_every_variant_of_every_operation() -> None:
    ratios = lower_bound.measure(rounds=1, batch=2)
    assert set(ratios) == {
        "Encrypt",
        "Decrypt",
        "GenerateDataKey",
        "CreateKey (standard)",
        "CreateKey (CloudHSM key store)",
    }
    for name, by_variant in ratios.items():
        expected = set(lower_bound.VARIANTS)
        if name.startswith("CreateKey"):
            expected.discard("least work, no AES")
        assert set(by_variant) == expected, name
        assert all(ratio > 0 for ratio in by_variant.values()), by_variant


def test_the_least_work_answers_decrypt_what_kmsmock_encrypted() -> None:
    import boto3

    from kmsmock import activation, mock_kms_keystores

    with mock_kms_keystores():
        kms = boto3.client("kms", region_name="us-east-1")
        key = kms.create_key()["KeyMetadata"]
        kmsmock_blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"data")["CiphertextBlob"]
        simulation = activation.current()
        assert simulation is not None
        stored = simulation.kms.scopes[("123456789012", "us-east-1")].keys[key["KeyId"]]
        least = lower_bound.LeastWork(
            key["KeyId"], key["Arn"], stored.material, str(stored.material_id)
        )
        answered = lower_bound._answered_by
        decrypted = answered(least.decrypt, lambda: kms.decrypt(CiphertextBlob=kmsmock_blob))()
        assert decrypted["Plaintext"] == b"data"
        own_blob = answered(
            least.encrypt, lambda: kms.encrypt(KeyId=key["KeyId"], Plaintext=b"more")
        )()["CiphertextBlob"]
        # The least work writes kmsmock's blob format, so kmsmock opens it.
        assert kms.decrypt(CiphertextBlob=own_blob)["Plaintext"] == b"more"


def test_the_report_prints_each_ratio_with_its_middle_half(capsys: Any) -> None:
    case = run.Case("Encrypt", kmsmock_call=lambda: None, floor_call=lambda: None)
    case.samples["floor"] = [100.0, 100.0, 100.0, 100.0]
    case.samples["kmsmock"] = [106.0, 108.0, 114.0, 120.0]
    report = run.Report()
    report.per_call([case])
    line = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("Encrypt"))
    assert f"{statistics.median([1.06, 1.08, 1.14, 1.20]):.3f}" in line  # 1.110
    # The middle half: the first and third quartiles of 1.06, 1.08, 1.14 and 1.20.
    assert "1.065-1.185" in line
    assert report.misses == ["Encrypt"]


@pytest.mark.parametrize("batch", [1, 3])
def test_the_floor_answers_its_canned_responses_in_turn(batch: int) -> None:
    import boto3

    from kmsmock import mock_kms_keystores

    with mock_kms_keystores():
        kms = boto3.client("kms", region_name="us-east-1")
        answers = floor_module.capture(kms, lambda c: [c.create_key() for _ in range(batch)])
        floor = floor_module.Floor()
        floor.can(answers)
        made = [floor.client.create_key()["KeyMetadata"]["KeyId"] for _ in range(2 * batch)]
    ids = [json.loads(body)["KeyMetadata"]["KeyId"] for _, _, body in answers] * 2
    assert made == ids


def test_the_first_activation_is_measured_in_a_fresh_process() -> None:
    import fixed_costs

    activation, with_request = fixed_costs.measure_first_activation(runs=1)
    # Both are measured; which is larger is a timing, and timings are not tested here.
    assert activation > 0 and with_request > 0


def test_the_instruction_count_script_runs_every_operation(monkeypatch: pytest.MonkeyPatch) -> None:
    import instructions

    for operation in (
        "DescribeCustomKeyStores",
        "CreateKey",
        "DescribeKey",
        "Encrypt",
        "Decrypt",
        "GenerateDataKey",
    ):
        monkeypatch.setattr(sys, "argv", ["instructions.py", operation, "1"])
        assert instructions.main() == 0


def test_the_server_benchmark_measures_both_servers_on_every_operation() -> None:
    import server

    figures = server.measure(rounds=1, seconds=0.05, starts=1)
    assert set(figures["operations"]) == {"DescribeKey", "Encrypt", "CreateKey"}
    for by_server in figures["operations"].values():
        for name in ("kmsmock", "moto"):
            assert by_server[name]["rps"] > 0
            assert 0 < by_server[name]["p50_ms"] <= by_server[name]["p99_ms"]
    assert set(figures["ready_ms"]) == {"kmsmock", "moto"}
    assert "| DescribeKey |" in server.report(figures)


def test_the_asymmetric_cases_make_calls_kmsmock_answers() -> None:
    import boto3

    from kmsmock import mock_kms_keystores

    added: dict[str, tuple[Any, Any, float | None]] = {}

    def add(
        name: str, call: Any, moto: Any, moto_batch: Any = None, floor_target: Any = 1.1
    ) -> None:
        added[name] = (call, moto, floor_target)

    with mock_kms_keystores():
        kms = boto3.client("kms", region_name="us-east-1")
        run.add_asymmetric_cases(kms, kms, add)  # kmsmock stands in for moto: the calls are checked
        for call, moto, _ in added.values():
            call(kms)
            moto(kms)
    assert set(added) == {
        f"{operation} ({spec})"
        for operation in ("CreateKey", "Sign", "Verify")
        for spec in ("RSA_2048", "ECC_NIST_P256")
    }
    assert set(added) <= set(run.FASTER_THAN_MOTO)
    assert added["Sign (RSA_2048)"][2] is None  # the floor signs nothing: no floor target


def test_the_chart_draws_every_series_of_every_row(tmp_path: Path) -> None:
    import xml.etree.ElementTree as ElementTree

    import chart

    rows = [
        ("Encrypt", {"floor": 250.0, "kmsmock": 290.0, "moto": 700.0}),
        ("Sign", {"floor": 1.0}),
    ]
    path = tmp_path / "chart.svg"
    chart.write_chart(path, rows, "title")
    svg = ElementTree.parse(path).getroot()
    titles = [element.text for element in svg.iter("{http://www.w3.org/2000/svg}title")]
    assert titles == [
        "Encrypt, floor: 250 µs",
        "Encrypt, kmsmock: 290 µs",
        "Encrypt, moto: 700 µs",
        "Sign, floor: 1 µs",
    ]
    assert run.chart_rows([]) == []
