"""kmsmock answers as AWS was recorded answering.

Each scenario follows one of LocalStack's AWS-validated snapshot tests
(``tests/aws/services/kms/test_kms.py`` and its ``.snapshot.json`` in
localstack/localstack), which record what real AWS answered; the expected
codes and messages below are those recordings, with kmsmock's own key ARNs
in place of the recordings' placeholders. See docs/compatibility.md,
"AWS's recorded answers".
"""

from __future__ import annotations

from typing import Any

from kms_helpers import error_of


def test_rotate_key_on_demand_answers_the_key_arn(kms: Any) -> None:
    """test_rotate_on_demand_returns_arn_for_key_id: KeyId is the key ARN."""
    key = kms.create_key()["KeyMetadata"]
    assert kms.rotate_key_on_demand(KeyId=key["KeyId"])["KeyId"] == key["Arn"]
