"""Interception whatever the import order, checked in fresh processes under unittest.

Each case runs a small program with ``python -m unittest`` in a fresh
interpreter, so kmsmock is imported after boto3 (the pytest plugin imports it
first in this process).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

PROGRAM = textwrap.dedent(
    """
    import unittest

    import boto3

    early = boto3.client(
        "kms", region_name="us-east-1",
        aws_access_key_id="AKIAEARLYCLIENT00000", aws_secret_access_key="not-a-real-secret",
    )

    import kmsmock  # after boto3's default session exists: must not crash


    class ImportOrder(unittest.TestCase):
        def test_client_made_before_import_is_answered(self):
            with kmsmock.mock_kms_keystores() as ks:
                key_id = early.create_key()["KeyMetadata"]["KeyId"]
                self.assertEqual([c.operation for c in ks.calls], ["CreateKey"])
                late = boto3.client("kms", region_name="us-east-1")
                listed = [k["KeyId"] for k in late.list_keys()["Keys"]]
                self.assertEqual(listed, [key_id])

        def test_requests_imported_while_active_is_answered(self):
            with kmsmock.mock_kms_keystores() as ks:
                import requests

                answer = requests.post(
                    "https://kms.us-east-1.amazonaws.com/",
                    data=b"{}",
                    headers={
                        "X-Amz-Target": "TrentService.ListKeys",
                        "Content-Type": "application/x-amz-json-1.1",
                    },
                    timeout=5,
                )
                self.assertEqual(answer.status_code, 200)
                self.assertEqual(answer.json()["Keys"], [])
                self.assertEqual([c.operation for c in ks.calls], ["ListKeys"])


    if __name__ == "__main__":
        unittest.main()
    """
)


def test_import_after_boto3_and_early_clients(tmp_path: Path) -> None:
    program = tmp_path / "test_order.py"
    program.write_text(PROGRAM)
    done = subprocess.run(
        [sys.executable, "-m", "unittest", "-v", "test_order"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "", "AWS_EC2_METADATA_DISABLED": "true", "HOME": str(tmp_path)},
    )
    assert done.returncode == 0, done.stderr
    assert "Ran 2 tests" in done.stderr
