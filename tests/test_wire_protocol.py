"""KMS's JSON 1.1 wire protocol, driven raw with ``requests`` and through botocore."""

from __future__ import annotations

import json
import os
import select
import signal
import sys
from typing import Any

import pytest
import requests
from kms_checks import check_answer
from kms_helpers import PASSWORD, create_cloudhsm

import kmsmock

URL = "https://kms.us-east-1.amazonaws.com/"


def post(target: str | None, body: bytes | str, **headers: str) -> requests.Response:
    if target is not None:
        headers["X-Amz-Target"] = target
    headers.setdefault("Content-Type", "application/x-amz-json-1.1")
    return requests.post(URL, headers=headers, data=body, timeout=5)


def test_answers_are_json_1_1(kms_keystores: Any) -> None:
    answer = post("TrentService.DescribeCustomKeyStores", "{}")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "application/x-amz-json-1.1"
    assert answer.headers["x-amzn-RequestId"]
    assert answer.json() == {"CustomKeyStores": [], "Truncated": False}


def test_errors_carry_type_and_message_with_status_400(kms_keystores: Any) -> None:
    answer = post(
        "TrentService.ConnectCustomKeyStore", json.dumps({"CustomKeyStoreId": "cks-missing"})
    )
    check_answer("ConnectCustomKeyStore", answer.status_code, answer.content)
    assert answer.status_code == 400
    body = answer.json()
    assert set(body) == {"__type", "message"}
    assert body["__type"] == "CustomKeyStoreNotFoundException"
    assert "cks-missing" in body["message"]


@pytest.mark.parametrize("body", [b"{", b"not json", b"\xff\xfe", b"[1, 2", b'{"a": }'])
def test_malformed_json_is_a_serialization_exception(kms_keystores: Any, body: bytes) -> None:
    answer = post("TrentService.DescribeCustomKeyStores", body)
    assert (answer.status_code, answer.json()["__type"]) == (400, "SerializationException")


@pytest.mark.parametrize("body", ["[]", "1", '"text"', "null", "true"])
def test_a_body_that_is_not_an_object_is_a_serialization_exception(
    kms_keystores: Any, body: str
) -> None:
    answer = post("TrentService.DescribeCustomKeyStores", body)
    assert (answer.status_code, answer.json()["__type"]) == (400, "SerializationException")


def test_an_empty_body_is_an_empty_request(kms_keystores: Any) -> None:
    assert post("TrentService.DescribeCustomKeyStores", b"").status_code == 200


@pytest.mark.parametrize(
    "target", [None, "", "TrentService.", "TrentService.NoSuchThing", "Other.DescribeKey"]
)
def test_unknown_targets_are_unknown_operations(kms_keystores: Any, target: str | None) -> None:
    answer = post(target, "{}")
    assert (answer.status_code, answer.json()["__type"]) == (400, "UnknownOperationException")
    assert kms_keystores.calls == []


def test_an_unimplemented_operation_raises_an_error_naming_it(kms_keystores: Any) -> None:
    body = '{"NumberOfBytes": 8, "Recipient": {"AttestationDocument": "ZG9j"}}'
    with pytest.raises(
        kmsmock.UnimplementedOperationError, match="'GenerateRandom' with Recipient"
    ):
        post("TrentService.GenerateRandom", body)


def test_every_operation_of_the_model_is_simulated() -> None:
    from kmsmock.api.operations import HANDLERS
    from kmsmock.model import service_model

    assert sorted(set(service_model().operation_names) - set(HANDLERS)) == []


def test_wrong_json_types_are_serialization_exceptions(kms_keystores: Any) -> None:
    answer = post("TrentService.DescribeCustomKeyStores", json.dumps({"Limit": "ten"}))
    assert answer.json()["__type"] == "SerializationException"
    assert "limit" in answer.json()["message"]
    answer = post(
        "TrentService.CreateCustomKeyStore",
        json.dumps({"CustomKeyStoreName": "n", "XksProxyAuthenticationCredential": "flat"}),
    )
    assert answer.json()["__type"] == "SerializationException"


def test_unknown_members_are_ignored(kms_keystores: Any) -> None:
    answer = post("TrentService.DescribeCustomKeyStores", json.dumps({"Surprise": 1}))
    assert answer.status_code == 200


def test_call_log_redacts_secrets_even_for_rejected_requests(kms_keystores: Any) -> None:
    post(
        "TrentService.CreateCustomKeyStore",
        json.dumps({"CustomKeyStoreName": "x" * 300, "KeyStorePassword": PASSWORD}),
    )
    post(
        "TrentService.CreateCustomKeyStore",
        json.dumps(
            {
                "CustomKeyStoreName": "n",
                "XksProxyAuthenticationCredential": {
                    "AccessKeyId": "ABCDEFGHIJKLMNOPQRST",
                    "RawSecretAccessKey": "s" * 50,
                },
            }
        ),
    )
    rendered = repr(kms_keystores.calls)
    assert PASSWORD not in rendered
    assert "s" * 50 not in rendered
    assert "ABCDEFGHIJKLMNOPQRST" not in rendered
    assert kms_keystores.calls[0].params["KeyStorePassword"] == "<redacted>"
    assert kms_keystores.calls[0].error_code == "ValidationException"
    assert PASSWORD not in kms_keystores.calls[0].error_message


def test_calls_record_operation_account_region_and_outcome(kms_keystores: Any, kms: Any) -> None:
    store_id = create_cloudhsm(kms)
    kms.connect_custom_key_store(CustomKeyStoreId=store_id)
    with pytest.raises(kms.exceptions.CustomKeyStoreInvalidStateException):
        kms.delete_custom_key_store(CustomKeyStoreId=store_id)
    calls = kms_keystores.calls
    assert [(c.operation, c.ok, c.error_code) for c in calls] == [
        ("CreateCustomKeyStore", True, None),
        ("ConnectCustomKeyStore", True, None),
        ("DeleteCustomKeyStore", False, "CustomKeyStoreInvalidStateException"),
    ]
    assert {(c.account_id, c.region) for c in calls} == {("123456789012", "us-east-1")}
    assert calls[0].params["KeyStorePassword"] == "<redacted>"
    assert calls[1].params == {"CustomKeyStoreId": store_id}


@pytest.mark.skipif(not hasattr(os, "fork") or sys.platform == "darwin", reason="needs fork")
def test_a_forked_child_never_repeats_its_parents_request_ids(kms: Any) -> None:
    # Request ids are a per-process prefix and a counter: a forked child draws a new prefix.
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
