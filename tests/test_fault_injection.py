"""Injected errors (``ks.inject_error``), botocore's retries, and the call log (``ks.calls``)."""

from __future__ import annotations

import types
from collections.abc import Iterator
from typing import Any

import botocore.endpoint
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from kms_helpers import PASSWORD, XKS_ACCESS_KEY, XKS_SECRET, create_cloudhsm, create_xks, state

STANDARD_3 = Config(retries={"mode": "standard", "max_attempts": 3})
STANDARD_1 = Config(retries={"mode": "standard", "max_attempts": 1})
NO_RETRIES = Config(retries={"mode": "standard", "total_max_attempts": 1})


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[float]]:
    """botocore's retry back-off, recorded instead of slept."""
    recorded: list[float] = []
    monkeypatch.setattr(botocore.endpoint, "time", types.SimpleNamespace(sleep=recorded.append))
    yield recorded


@pytest.fixture
def default_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """No environment setting changes botocore's default retry behaviour."""
    for name in ("AWS_RETRY_MODE", "AWS_MAX_ATTEMPTS"):
        monkeypatch.delenv(name, raising=False)


def caught(call: Any, **params: Any) -> dict[str, Any]:
    with pytest.raises(ClientError) as error:
        call(**params)
    return dict(error.value.response)


def calls_of(ks: Any, operation: str) -> list[Any]:
    return [call for call in ks.calls if call.operation == operation]


# -- retries ---------------------------------------------------------------------------


@pytest.mark.usefixtures("default_retries")
def test_an_internal_error_is_retried_by_default(
    make_client: Any, kms_keystores: Any, sleeps: list[float]
) -> None:
    kms = make_client()
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    kms_keystores.inject_error("Encrypt", "KMSInternalException")
    answer = kms.encrypt(KeyId=key_id, Plaintext=b"data")
    assert answer["ResponseMetadata"]["RetryAttempts"] == 1
    assert answer["KeyId"].endswith(key_id)
    encrypts = calls_of(kms_keystores, "Encrypt")
    assert [call.error_code for call in encrypts] == ["KMSInternalException", None]
    assert (encrypts[0].ok, encrypts[1].ok) == (False, True)
    assert len(sleeps) == 1


def test_an_internal_error_that_outlasts_the_retries_reaches_the_caller(
    make_client: Any, kms_keystores: Any, sleeps: list[float]
) -> None:
    kms = make_client(config=STANDARD_3)  # one attempt and three retries
    kms_keystores.inject_error("ListKeys", "KMSInternalException", times=4, message="boom")
    response = caught(kms.list_keys)
    assert response["Error"] == {"Code": "KMSInternalException", "Message": "boom"}
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert response["ResponseMetadata"]["RetryAttempts"] == 3
    assert len(calls_of(kms_keystores, "ListKeys")) == 4
    assert kms.list_keys()["Keys"] == []


def test_throttling_twice_succeeds_on_the_third_attempt(
    make_client: Any, kms_keystores: Any, sleeps: list[float]
) -> None:
    kms = make_client(config=STANDARD_3)
    kms_keystores.inject_error("ListKeys", "ThrottlingException", times=2)
    answer = kms.list_keys()
    assert answer["ResponseMetadata"]["RetryAttempts"] == 2
    assert [call.error_code for call in calls_of(kms_keystores, "ListKeys")] == [
        "ThrottlingException",
        "ThrottlingException",
        None,
    ]
    assert len(sleeps) == 2


def test_throttling_outlasts_a_client_with_one_retry(
    make_client: Any, kms_keystores: Any, sleeps: list[float]
) -> None:
    kms = make_client(config=STANDARD_1)
    kms_keystores.inject_error("ListKeys", "ThrottlingException", times=2)
    response = caught(kms.list_keys)
    assert response["Error"] == {"Code": "ThrottlingException", "Message": "Rate exceeded"}
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert response["ResponseMetadata"]["RetryAttempts"] == 1
    assert len(calls_of(kms_keystores, "ListKeys")) == 2
    assert len(sleeps) == 1
    # Both injected attempts were used up: the next call succeeds at once.
    answer = kms.list_keys()
    assert (answer["Keys"], answer["ResponseMetadata"]["RetryAttempts"]) == ([], 0)


def test_each_attempt_uses_up_one_injected_error(make_client: Any, kms_keystores: Any) -> None:
    kms = make_client(config=NO_RETRIES)
    kms_keystores.inject_error("ListKeys", "ThrottlingException", times=2)
    for _ in range(2):
        response = caught(kms.list_keys)
        assert response["Error"]["Code"] == "ThrottlingException"
        assert response["ResponseMetadata"]["RetryAttempts"] == 0
    assert kms.list_keys()["Keys"] == []
    assert len(calls_of(kms_keystores, "ListKeys")) == 3


def test_a_modeled_client_error_is_not_retried(
    kms: Any, kms_keystores: Any, sleeps: list[float]
) -> None:
    kms_keystores.inject_error(
        "DescribeCustomKeyStores",
        "CustomKeyStoreNotFoundException",
        message="injected: no such store",
    )
    response = caught(kms.describe_custom_key_stores)
    assert response["Error"] == {
        "Code": "CustomKeyStoreNotFoundException",
        "Message": "injected: no such store",
    }
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert response["ResponseMetadata"]["RetryAttempts"] == 0
    assert len(calls_of(kms_keystores, "DescribeCustomKeyStores")) == 1
    assert sleeps == []
    assert kms.describe_custom_key_stores()["CustomKeyStores"] == []


def test_without_a_message_the_models_description_is_used(kms: Any, kms_keystores: Any) -> None:
    kms_keystores.inject_error("DescribeCustomKeyStores", "CustomKeyStoreNotFoundException")
    message = caught(kms.describe_custom_key_stores)["Error"]["Message"]
    assert "cannot find a custom key store" in message


# -- what an injected error touches ---------------------------------------------------------


def test_an_injected_error_affects_only_its_operation(make_client: Any, kms_keystores: Any) -> None:
    kms = make_client(config=NO_RETRIES)
    kms_keystores.inject_error("Decrypt", "DependencyTimeoutException")
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"data")["CiphertextBlob"]
    assert kms.list_keys()["Keys"][0]["KeyId"] == key_id
    assert caught(kms.decrypt, CiphertextBlob=blob)["Error"]["Code"] == (
        "DependencyTimeoutException"
    )
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"data"


def test_injected_errors_queue_in_order(make_client: Any, kms_keystores: Any) -> None:
    kms = make_client(config=NO_RETRIES)
    kms_keystores.inject_error("ListKeys", "DependencyTimeoutException")
    kms_keystores.inject_error("ListKeys", "InvalidMarkerException", times=2)
    codes = [caught(kms.list_keys)["Error"]["Code"] for _ in range(3)]
    assert codes == [
        "DependencyTimeoutException",
        "InvalidMarkerException",
        "InvalidMarkerException",
    ]
    assert kms.list_keys()["Keys"] == []


def test_an_injected_error_changes_no_state(make_client: Any, kms_keystores: Any) -> None:
    kms = make_client(config=NO_RETRIES)
    store_id = create_cloudhsm(kms)
    kms_keystores.inject_error("ConnectCustomKeyStore", "KMSInternalException")
    assert caught(kms.connect_custom_key_store, CustomKeyStoreId=store_id)["Error"]["Code"] == (
        "KMSInternalException"
    )
    assert state(kms, store_id) == "DISCONNECTED"
    kms.connect_custom_key_store(CustomKeyStoreId=store_id)
    assert state(kms, store_id) == "CONNECTED"


@pytest.mark.usefixtures("sleeps")
def test_a_retried_create_creates_one_store(make_client: Any, kms_keystores: Any) -> None:
    kms = make_client(config=STANDARD_3)
    kms_keystores.inject_error("CreateCustomKeyStore", "ThrottlingException")
    create_cloudhsm(kms)
    assert len(kms.describe_custom_key_stores()["CustomKeyStores"]) == 1
    assert [c.error_code for c in calls_of(kms_keystores, "CreateCustomKeyStore")] == [
        "ThrottlingException",
        None,
    ]


@pytest.mark.parametrize(
    ("operation", "error_code", "times"),
    [
        ("Frobnicate", "KMSInternalException", 1),
        ("encrypt", "KMSInternalException", 1),
        ("Encrypt", "CustomKeyStoreNotFoundException", 1),
        ("DescribeCustomKeyStores", "KMSInvalidStateException", 1),
        ("Encrypt", "NoSuchError", 1),
        ("Encrypt", "KMSInternalException", 0),
        ("Encrypt", "KMSInternalException", -1),
        ("Encrypt", "KMSInternalException", True),
        ("Encrypt", "KMSInternalException", 1.5),
    ],
    ids=[
        "unknown-operation",
        "lowercase-operation",
        "unmodeled-error",
        "unmodeled-error-2",
        "unknown-error",
        "zero-times",
        "negative-times",
        "bool-times",
        "float-times",
    ],
)
def test_inject_error_refuses_what_kms_could_not_answer(
    kms: Any, kms_keystores: Any, operation: str, error_code: str, times: Any
) -> None:
    with pytest.raises(ValueError):
        kms_keystores.inject_error(operation, error_code, times=times)
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.encrypt(KeyId=key_id, Plaintext=b"data")
    kms.describe_custom_key_stores()
    assert all(call.ok for call in kms_keystores.calls)


def test_reset_clears_injected_errors(kms: Any, kms_keystores: Any) -> None:
    kms_keystores.inject_error("ListKeys", "DependencyTimeoutException", times=3)
    kms_keystores.inject_error("DescribeCustomKeyStores", "CustomKeyStoreNotFoundException")
    kms_keystores.reset()
    assert kms.list_keys()["Keys"] == []
    assert kms.describe_custom_key_stores()["CustomKeyStores"] == []
    assert [call.ok for call in kms_keystores.calls] == [True, True]


# -- the call log -----------------------------------------------------------------------


def test_calls_record_operation_account_region_and_outcome(
    make_client: Any, kms_keystores: Any
) -> None:
    west = make_client(region="eu-west-1", account="111122223333")
    west.list_keys()
    with pytest.raises(ClientError):
        west.connect_custom_key_store(CustomKeyStoreId="cks-1234567890abcdef0")
    listed, refused = kms_keystores.calls
    assert (listed.operation, listed.account_id, listed.region) == (
        "ListKeys",
        "111122223333",
        "eu-west-1",
    )
    assert (listed.error_code, listed.error_message, listed.ok) == (None, None, True)
    assert refused.operation == "ConnectCustomKeyStore"
    assert refused.params == {"CustomKeyStoreId": "cks-1234567890abcdef0"}
    assert refused.error_code == "CustomKeyStoreNotFoundException"
    assert refused.error_message
    assert refused.ok is False


def test_calls_read_the_mock_clock(kms: Any, kms_keystores: Any) -> None:
    kms_keystores.advance(86400)
    kms.list_keys()
    (call,) = kms_keystores.calls
    assert abs(call.time - kms_keystores.now()) < 5


def test_calls_redact_the_cloudhsm_password(kms: Any, kms_keystores: Any) -> None:
    create_cloudhsm(kms, "redacted-store")
    (call,) = kms_keystores.calls
    assert call.params["KeyStorePassword"] == "<redacted>"
    assert call.params["CustomKeyStoreName"] == "redacted-store"
    assert PASSWORD not in repr(kms_keystores.calls)


def test_calls_redact_the_xks_credential_and_plaintexts(kms: Any, kms_keystores: Any) -> None:
    create_xks(kms)
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.encrypt(KeyId=key_id, Plaintext=b"top-secret-plaintext")
    created = calls_of(kms_keystores, "CreateCustomKeyStore")[0]
    credential = created.params["XksProxyAuthenticationCredential"]
    assert credential["RawSecretAccessKey"] == "<redacted>"
    assert created.params["XksProxyUriEndpoint"] == "https://xks.example.com"
    encrypted = calls_of(kms_keystores, "Encrypt")[0]
    assert encrypted.params["Plaintext"] == "<redacted>"
    assert encrypted.params["KeyId"] == key_id
    log = repr(kms_keystores.calls)
    assert XKS_SECRET not in log
    assert "top-secret-plaintext" not in log


def test_calls_redact_an_update_password(kms: Any, kms_keystores: Any) -> None:
    store_id = create_cloudhsm(kms)
    kms.update_custom_key_store(CustomKeyStoreId=store_id, KeyStorePassword="n3w-password")
    update = calls_of(kms_keystores, "UpdateCustomKeyStore")[0]
    assert update.params == {"CustomKeyStoreId": store_id, "KeyStorePassword": "<redacted>"}


def test_calls_record_injected_errors_with_their_message(
    make_client: Any, kms_keystores: Any
) -> None:
    kms = make_client(config=NO_RETRIES)
    kms_keystores.inject_error("ListKeys", "DependencyTimeoutException", message="slow down")
    with pytest.raises(ClientError):
        kms.list_keys()
    (call,) = kms_keystores.calls
    assert (call.operation, call.error_code, call.error_message) == (
        "ListKeys",
        "DependencyTimeoutException",
        "slow down",
    )


@pytest.mark.kms_keystores(connect_delay=300)
def test_the_call_log_shows_the_code_polled_until_connected(kms: Any, kms_keystores: Any) -> None:
    store_id = create_cloudhsm(kms)
    kms.connect_custom_key_store(CustomKeyStoreId=store_id)
    while state(kms, store_id) != "CONNECTED":
        kms_keystores.advance(60)  # in place of time.sleep(60)
    operations = [call.operation for call in kms_keystores.calls]
    assert operations == [
        "CreateCustomKeyStore",
        "ConnectCustomKeyStore",
        *["DescribeCustomKeyStores"] * 6,
    ]
    polls = calls_of(kms_keystores, "DescribeCustomKeyStores")
    assert all(poll.params == {"CustomKeyStoreId": store_id} for poll in polls)
    assert polls[-1].time - polls[0].time == pytest.approx(300, abs=1)


def test_the_xks_access_key_id_is_never_logged_in_clear(kms: Any, kms_keystores: Any) -> None:
    create_xks(kms)
    assert XKS_ACCESS_KEY not in repr(kms_keystores.calls)
