"""With moto's mock_aws active too: KMS goes to kmsmock, every other service to moto."""

from __future__ import annotations

import boto3
import pytest
import requests
from kms_helpers import create_cloudhsm
from moto import mock_aws

from kmsmock import mock_kms_keystores


@pytest.mark.parametrize("kmsmock_first", [True, False], ids=["kmsmock-outer", "moto-outer"])
def test_kms_goes_to_kmsmock_and_the_rest_to_moto(kmsmock_first: bool) -> None:
    first, second = (
        (mock_kms_keystores(), mock_aws()) if kmsmock_first else (mock_aws(), mock_kms_keystores())
    )
    with first, second:
        kms = boto3.client("kms", region_name="us-east-1")
        s3 = boto3.client("s3", region_name="us-east-1")
        # kmsmock implements custom key stores; moto would raise NotImplementedError.
        store_id = create_cloudhsm(kms)
        assert kms.describe_custom_key_stores()["CustomKeyStores"][0]["CustomKeyStoreId"] == (
            store_id
        )
        s3.create_bucket(Bucket="moto-bucket")
        assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["moto-bucket"]
        # moto's KMS never saw the request, so its own KMS state is untouched.
        from moto.kms.models import kms_backends

        assert not kms_backends["123456789012"]["us-east-1"].keys


def test_requests_to_other_services_reach_moto_when_kmsmock_started_second() -> None:
    with mock_aws(), mock_kms_keystores():
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="moto-side-bucket")
        answer = requests.get("https://moto-side-bucket.s3.amazonaws.com/", timeout=5)
        assert answer.status_code == 200
        kms = requests.post(
            "https://kms.us-east-1.amazonaws.com/",
            headers={"X-Amz-Target": "TrentService.DescribeCustomKeyStores"},
            data=b"{}",
            timeout=5,
        )
        assert kms.status_code == 200
        assert kms.json() == {"CustomKeyStores": [], "Truncated": False}
