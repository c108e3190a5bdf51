"""GetKeyLastUsage: the last successful cryptographic operation with a key, on the mock clock.

Which operations count is the model's KeyLastUsageTrackingOperation list;
kmsmock tracks a key from its creation. Wall time is frozen, so timestamps are
checked exactly.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import botocore.session
import pytest
from kms_helpers import error_code
from material_helpers import DAY, frozen_wall_time

TRACKED = set(
    botocore.session.get_session()
    .get_service_model("kms")
    .shape_for("KeyLastUsageTrackingOperation")
    .enum
)


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[float]:
    with frozen_wall_time() as now:
        yield now


def last_usage(kms: Any, key_id: str) -> dict[str, Any]:
    answer = kms.get_key_last_usage(KeyId=key_id)
    assert answer["KeyId"] == key_id
    assert answer["TrackingStartDate"] == answer["KeyCreationDate"]
    return dict(answer["KeyLastUsage"])


def test_a_new_key_has_no_last_usage_since_tracking_began_at_its_creation(
    kms: Any, kms_keystores: Any
) -> None:
    key = kms.create_key()["KeyMetadata"]
    answer = kms.get_key_last_usage(KeyId=key["Arn"])
    assert answer["KeyLastUsage"] == {}
    assert answer["KeyCreationDate"] == key["CreationDate"]
    assert answer["TrackingStartDate"].timestamp() == kms_keystores.now()


@pytest.mark.parametrize(
    ("operation", "call"),
    [
        ("Encrypt", lambda kms, key: kms.encrypt(KeyId=key, Plaintext=b"x")),
        ("GenerateDataKey", lambda kms, key: kms.generate_data_key(KeyId=key, KeySpec="AES_256")),
        (
            "GenerateDataKeyWithoutPlaintext",
            lambda kms, key: kms.generate_data_key_without_plaintext(KeyId=key, NumberOfBytes=8),
        ),
        (
            "Decrypt",
            lambda kms, key: kms.decrypt(
                CiphertextBlob=kms.encrypt(KeyId=key, Plaintext=b"x")["CiphertextBlob"]
            ),
        ),
    ],
)
def test_each_cryptographic_operation_is_recorded_with_its_time(
    kms: Any, kms_keystores: Any, operation: str, call: Any
) -> None:
    assert operation in TRACKED
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    kms_keystores.advance(3 * DAY)
    call(kms, key_id)
    usage = last_usage(kms, key_id)
    assert usage["Operation"] == operation
    assert usage["Timestamp"].timestamp() == kms_keystores.now()


def test_reencrypt_is_recorded_for_both_keys(kms: Any, kms_keystores: Any) -> None:
    source = kms.create_key()["KeyMetadata"]["KeyId"]
    destination = kms.create_key()["KeyMetadata"]["KeyId"]
    blob = kms.encrypt(KeyId=source, Plaintext=b"x")["CiphertextBlob"]
    kms_keystores.advance(60)
    kms.re_encrypt(CiphertextBlob=blob, DestinationKeyId=destination)
    for key_id in (source, destination):
        usage = last_usage(kms, key_id)
        assert usage["Operation"] == "ReEncrypt"
        assert usage["Timestamp"].timestamp() == kms_keystores.now()


def test_failures_dry_runs_and_other_operations_are_not_use(kms: Any, kms_keystores: Any) -> None:
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.encrypt(KeyId=key_id, Plaintext=b"x")
    used = last_usage(kms, key_id)
    kms_keystores.advance(60)
    assert error_code(kms.encrypt, KeyId=key_id, Plaintext=b"x", DryRun=True) == (
        "DryRunOperationException"
    )
    kms.describe_key(KeyId=key_id)
    kms.rotate_key_on_demand(KeyId=key_id)
    kms.disable_key(KeyId=key_id)
    assert error_code(kms.encrypt, KeyId=key_id, Plaintext=b"x") == "DisabledException"
    assert last_usage(kms, key_id) == used


def test_another_accounts_use_counts_for_the_key(
    kms: Any, kms_keystores: Any, make_client: Any
) -> None:
    key = kms.create_key()["KeyMetadata"]
    other = make_client(account="111122223333")
    other.encrypt(KeyId=key["Arn"], Plaintext=b"x")  # Encrypt allows cross-account use
    assert last_usage(kms, key["KeyId"])["Operation"] == "Encrypt"
    # GetKeyLastUsage itself does not: "Cross-account use: No".
    assert error_code(other.get_key_last_usage, KeyId=key["Arn"]) == "NotFoundException"


def test_an_alias_is_not_accepted(kms: Any) -> None:
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName="alias/used", TargetKeyId=key_id)
    assert error_code(kms.get_key_last_usage, KeyId="alias/used") == "InvalidArnException"


def test_a_key_in_any_state_reports_its_usage(kms: Any) -> None:
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.encrypt(KeyId=key_id, Plaintext=b"x")
    kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    assert last_usage(kms, key_id)["Operation"] == "Encrypt"
    pending_import = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
    assert last_usage(kms, pending_import) == {}
