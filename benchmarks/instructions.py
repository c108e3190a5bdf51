"""Instructions per call, counted by valgrind: a figure that load on the machine cannot move.

Timings on a shared machine move by several percent from run to run; the
number of instructions a call executes does not. Run a loop of calls of one
operation under callgrind twice, with two loop lengths, and take the
difference, so that starting Python and the setup cancel out::

    count() { valgrind --tool=callgrind --callgrind-out-file=/dev/null \\
        python benchmarks/instructions.py "$1" "$2" 2>&1 | awk '/Collected/ {print $4}'; }
    echo $(( ($(count Encrypt 600) - $(count Encrypt 200)) / 400 ))

The operations are the benchmark's (run.py): DescribeCustomKeyStores,
CreateKey, DescribeKey, Encrypt, Decrypt, GenerateDataKey. Instructions are
not time (a call that touches more memory costs more than its count says),
so use this to compare two versions of kmsmock, not to replace run.py.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import boto3

from kmsmock import mock_kms_keystores

WARM_UP = 100


def calls(kms: Any) -> dict[str, Callable[[], Any]]:
    """One call of each measured operation, on a prepared account."""
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"benchmark data")["CiphertextBlob"]
    for n in range(3):
        kms.create_custom_key_store(
            CustomKeyStoreName=f"bench-{n}",
            CloudHsmClusterId=f"cluster-234567abcde{'fgh'[n]}",
            TrustAnchorCertificate="certificate",
            KeyStorePassword="kmsPassword",
        )
    return {
        "DescribeCustomKeyStores": lambda: kms.describe_custom_key_stores(),
        "CreateKey": lambda: kms.create_key(),
        "DescribeKey": lambda: kms.describe_key(KeyId=key_id),
        "Encrypt": lambda: kms.encrypt(KeyId=key_id, Plaintext=b"benchmark data"),
        "Decrypt": lambda: kms.decrypt(CiphertextBlob=blob),
        "GenerateDataKey": lambda: kms.generate_data_key(KeyId=key_id, KeySpec="AES_256"),
    }


def main() -> int:
    operation, count = sys.argv[1], int(sys.argv[2])
    with mock_kms_keystores():
        call = calls(boto3.client("kms", region_name="us-east-1"))[operation]
        for _ in range(WARM_UP + count):
            call()
    return 0


if __name__ == "__main__":
    sys.exit(main())
