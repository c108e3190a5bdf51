"""Server-side validation generated from botocore's model, in AWS's words.

The client here has botocore's own parameter validation switched off, so
every value reaches kmsmock as another SDK would send it.
"""

from __future__ import annotations

from typing import Any

import pytest
from kms_helpers import CLUSTER_ID, PASSWORD, TRUST_ANCHOR, error_of, xks_params


def hsm(**overrides: Any) -> dict[str, Any]:
    return {
        "CustomKeyStoreName": "store",
        "CloudHsmClusterId": CLUSTER_ID,
        "TrustAnchorCertificate": TRUST_ANCHOR,
        "KeyStorePassword": PASSWORD,
        **overrides,
    }


def test_too_long_a_name(lenient_kms: Any) -> None:
    name = "n" * 257
    assert error_of(lenient_kms.create_custom_key_store, **hsm(CustomKeyStoreName=name)) == (
        "ValidationException",
        f"1 validation error detected: Value '{name}' at 'customKeyStoreName' failed to satisfy "
        "constraint: Member must have length less than or equal to 256",
    )


def test_required_member_missing(lenient_kms: Any) -> None:
    params = hsm()
    del params["CustomKeyStoreName"]
    assert error_of(lenient_kms.create_custom_key_store, **params) == (
        "ValidationException",
        "1 validation error detected: Value null at 'customKeyStoreName' failed to satisfy "
        "constraint: Member must not be null",
    )


def test_pattern(lenient_kms: Any) -> None:
    code, message = error_of(
        lenient_kms.create_custom_key_store, **hsm(CloudHsmClusterId="cluster-1111111111111")
    )
    assert code == "ValidationException"
    assert message == (
        "1 validation error detected: Value 'cluster-1111111111111' at 'cloudHsmClusterId' failed "
        "to satisfy constraint: Member must satisfy regular expression pattern: "
        "cluster-[2-7a-zA-Z]{11,16}"
    )


def test_enum(lenient_kms: Any) -> None:
    code, message = error_of(
        lenient_kms.create_custom_key_store, **hsm(CustomKeyStoreType="SOMETHING_ELSE")
    )
    assert (code, message) == (
        "ValidationException",
        "1 validation error detected: Value 'SOMETHING_ELSE' at 'customKeyStoreType' failed to "
        "satisfy constraint: Member must satisfy enum value set: "
        "[AWS_CLOUDHSM, EXTERNAL_KEY_STORE]",
    )


@pytest.mark.parametrize(
    ("limit", "constraint"),
    [
        (0, "Member must have value greater than or equal to 1"),
        (1001, "Member must have value less than or equal to 1000"),
    ],
)
def test_integer_range(lenient_kms: Any, limit: int, constraint: str) -> None:
    assert error_of(lenient_kms.describe_custom_key_stores, Limit=limit) == (
        "ValidationException",
        f"1 validation error detected: Value '{limit}' at 'limit' failed to satisfy constraint: "
        f"{constraint}",
    )


def test_sensitive_values_are_never_echoed(lenient_kms: Any) -> None:
    code, message = error_of(lenient_kms.create_custom_key_store, **hsm(KeyStorePassword="short"))
    assert (code, message) == (
        "ValidationException",
        "1 validation error detected: Value at 'keyStorePassword' failed to satisfy constraint: "
        "Member must have length greater than or equal to 7",
    )


def test_nested_members_and_several_errors(lenient_kms: Any) -> None:
    params = xks_params(
        CustomKeyStoreName="",
        XksProxyAuthenticationCredential={"AccessKeyId": "lower"},
    )
    code, message = error_of(lenient_kms.create_custom_key_store, **params)
    assert code == "ValidationException"
    assert message.startswith("4 validation errors detected: ")
    problems = message.removeprefix("4 validation errors detected: ").split("; ")
    assert sorted(problems) == sorted(
        [
            "Value '' at 'customKeyStoreName' failed to satisfy constraint: Member must have "
            "length greater than or equal to 1",
            "Value at 'xksProxyAuthenticationCredential.accessKeyId' failed to satisfy "
            "constraint: Member must satisfy regular expression pattern: ^[A-Z2-7]+$",
            "Value at 'xksProxyAuthenticationCredential.accessKeyId' failed to satisfy "
            "constraint: Member must have length greater than or equal to 20",
            "Value null at 'xksProxyAuthenticationCredential.rawSecretAccessKey' failed to "
            "satisfy constraint: Member must not be null",
        ]
    )


def test_non_ascii_lengths_count_utf16_units_as_aws_does(lenient_kms: Any) -> None:
    # 128 emoji are 256 UTF-16 code units: exactly the limit.
    ok_name = "\U0001f511" * 128
    lenient_kms.create_custom_key_store(**hsm(CustomKeyStoreName=ok_name))
    code, _ = error_of(lenient_kms.create_custom_key_store, **hsm(CustomKeyStoreName=ok_name + "x"))
    assert code == "ValidationException"


def test_a_rejected_request_changes_nothing(lenient_kms: Any, kms_keystores: Any) -> None:
    error_of(lenient_kms.create_custom_key_store, **hsm(CustomKeyStoreName="n" * 300))
    error_of(lenient_kms.create_custom_key_store, **hsm(KeyStorePassword="x"))
    assert lenient_kms.describe_custom_key_stores()["CustomKeyStores"] == []
    assert [c.error_code for c in kms_keystores.calls] == [
        "ValidationException",
        "ValidationException",
        None,
    ]
