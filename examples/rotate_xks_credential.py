"""Rotate the proxy authentication credential of an external key store, without downtime.

The order matters. The XKS proxy must accept the new credential before KMS
uses it, and the old one must keep working until KMS has switched:

1. add the new credential to your XKS proxy (the proxy's own tooling);
2. tell KMS about it: UpdateCustomKeyStore with the new
   XksProxyAuthenticationCredential, which KMS allows while CONNECTED;
3. check that KMS can still use the store's keys, with a round trip through
   one of them;
4. remove the old credential from the proxy.

This program does steps 2 and 3, and refuses to go on if step 3 fails::

    python examples/rotate_xks_credential.py cks-... ACCESSKEYID SECRET KEY-ID
"""

from __future__ import annotations

import sys
from typing import Any


class RotationFailed(Exception):
    """KMS could not use the store's keys with the new credential."""


def rotate_credential(
    kms: Any, store_id: str, access_key_id: str, secret_access_key: str, probe_key_id: str
) -> None:
    """Give KMS the new credential, then prove it works with a round trip through a key."""
    kms.update_custom_key_store(
        CustomKeyStoreId=store_id,
        XksProxyAuthenticationCredential={
            "AccessKeyId": access_key_id,
            "RawSecretAccessKey": secret_access_key,
        },
    )
    [store] = kms.describe_custom_key_stores(CustomKeyStoreId=store_id)["CustomKeyStores"]
    if store["XksProxyConfiguration"]["AccessKeyId"] != access_key_id:
        raise RotationFailed("KMS did not record the new access key id")
    try:
        blob = kms.encrypt(KeyId=probe_key_id, Plaintext=b"rotation probe")["CiphertextBlob"]
        plaintext = kms.decrypt(CiphertextBlob=blob)["Plaintext"]
    except kms.exceptions.KMSInvalidStateException as error:
        raise RotationFailed(f"the proxy refused KMS: {error}") from error
    if plaintext != b"rotation probe":
        raise RotationFailed("the round trip through the probe key changed the data")


def main(argv: list[str] | None = None) -> int:
    """Rotate the credential given on the command line."""
    import boto3

    store_id, access_key_id, secret, probe_key_id = (argv or sys.argv[1:])[:4]
    try:
        rotate_credential(boto3.client("kms"), store_id, access_key_id, secret, probe_key_id)
    except RotationFailed as error:
        print(f"rotation failed: {error}; keep the old credential on the proxy")
        return 1
    print("KMS uses the new credential; remove the old one from the proxy")
    return 0


if __name__ == "__main__":
    sys.exit(main())
