"""``kmsmock serve --state``: keys with imported RSA, ECC and HMAC material survive a restart.

The imported private key and HMAC secret are kept as the keys' key material;
after a restart, the test's own public key still verifies the key's
signatures, and its own secret still gives the key's MACs.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from test_import_asymmetric import new_key, pkcs8, send, spki
from test_server import client

from kmsmock.server import KmsServer


def test_imported_asymmetric_and_hmac_material_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "kms.json"
    rsa_private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ec_private = ec.generate_private_key(ec.SECP256R1())
    secret = os.urandom(48)
    with KmsServer(state_file=path) as server:
        kms = client(server)
        rsa_key = new_key(kms, "RSA_2048", "SIGN_VERIFY")
        send(kms, rsa_key, pkcs8(rsa_private))
        ec_key = new_key(kms, "ECC_NIST_P256", "SIGN_VERIFY")
        send(kms, ec_key, pkcs8(ec_private), "RSAES_OAEP_SHA_256")
        kms.delete_imported_key_material(KeyId=ec_key)
        mac_key = new_key(kms, "HMAC_384", "GENERATE_VERIFY_MAC")
        send(kms, mac_key, secret, "RSAES_OAEP_SHA_1")
    with KmsServer(state_file=path) as server:
        kms = client(server)
        assert kms.get_public_key(KeyId=rsa_key)["PublicKey"] == spki(rsa_private.public_key())
        signature = kms.sign(
            KeyId=rsa_key, Message=b"m", SigningAlgorithm="RSASSA_PKCS1_V1_5_SHA_256"
        )["Signature"]
        rsa_private.public_key().verify(signature, b"m", padding.PKCS1v15(), hashes.SHA256())
        ec_state = kms.describe_key(KeyId=ec_key)["KeyMetadata"]["KeyState"]
        assert ec_state == "PendingImport"  # its material was deleted before the restart
        send(kms, ec_key, pkcs8(ec_private))  # the same material, reimported after it
        ec_signature = kms.sign(KeyId=ec_key, Message=b"m", SigningAlgorithm="ECDSA_SHA_256")
        ec_private.public_key().verify(ec_signature["Signature"], b"m", ec.ECDSA(hashes.SHA256()))
        mac = kms.generate_mac(KeyId=mac_key, Message=b"m", MacAlgorithm="HMAC_SHA_384")["Mac"]
        assert mac == hmac.new(secret, b"m", hashlib.sha384).digest()
