"""Envelope encryption with a signature: seal data under a KMS data key, sign the envelope.

``seal`` asks KMS for a data key (GenerateDataKey), encrypts the data locally
with AES-GCM, forgets the plaintext data key, and signs the envelope (the
encrypted data key, the nonce and the ciphertext) with an asymmetric KMS
signing key. ``open_envelope`` checks the signature first, locally, with the
public key from GetPublicKey (no KMS call per message, and a reader without
kms:Verify can check it), then asks KMS to decrypt the data key::

    python examples/signed_envelope.py ENCRYPTION-KEY-ID SIGNING-KEY-ID < in > out.json

The signing key is an ``ECC_NIST_P256`` key with ``KeyUsage=SIGN_VERIFY``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import sys
from dataclasses import asdict, dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.serialization import load_der_public_key

SIGNING_ALGORITHM = "ECDSA_SHA_256"


class TamperedEnvelope(Exception):
    """The envelope's signature does not match its contents, or its signer."""


# --8<-- [start:envelope]
@dataclass(frozen=True)
class Envelope:
    """Data encrypted under a KMS data key, and signed by a KMS signing key."""

    encrypted_data_key: bytes
    nonce: bytes
    ciphertext: bytes
    signing_key_id: str
    signature: bytes

    def signed_digest(self) -> bytes:
        """The SHA-256 digest the signature covers: every part of the envelope but itself."""
        digest = hashlib.sha256()
        for part in (self.encrypted_data_key, self.nonce, self.ciphertext):
            digest.update(len(part).to_bytes(4, "big") + part)
        return digest.digest()


def seal(kms: Any, data: bytes, encryption_key_id: str, signing_key_id: str) -> Envelope:
    """Encrypt ``data`` under a new data key, and sign the result with ``signing_key_id``."""
    data_key = kms.generate_data_key(KeyId=encryption_key_id, KeySpec="AES_256")
    nonce = os.urandom(12)
    ciphertext = AESGCM(data_key["Plaintext"]).encrypt(nonce, data, None)
    unsigned = Envelope(data_key["CiphertextBlob"], nonce, ciphertext, signing_key_id, b"")
    signature = kms.sign(
        KeyId=signing_key_id,
        Message=unsigned.signed_digest(),
        MessageType="DIGEST",
        SigningAlgorithm=SIGNING_ALGORITHM,
    )["Signature"]
    return Envelope(data_key["CiphertextBlob"], nonce, ciphertext, signing_key_id, signature)


def open_envelope(kms: Any, envelope: Envelope, trusted_signer: str) -> bytes:
    """Check the signature with the trusted signer's public key, then decrypt."""
    public_key = load_der_public_key(kms.get_public_key(KeyId=trusted_signer)["PublicKey"])
    if not isinstance(public_key, ec.EllipticCurvePublicKey):
        raise TamperedEnvelope(f"{trusted_signer} is not an ECC signing key")
    try:
        public_key.verify(
            envelope.signature,
            envelope.signed_digest(),
            ec.ECDSA(Prehashed(hashes.SHA256())),
        )
    except InvalidSignature:
        raise TamperedEnvelope("the signature does not match the envelope") from None
    data_key = kms.decrypt(CiphertextBlob=envelope.encrypted_data_key)["Plaintext"]
    return AESGCM(data_key).decrypt(envelope.nonce, envelope.ciphertext, None)


# --8<-- [end:envelope]


def to_json(envelope: Envelope) -> str:
    """The envelope as JSON, its bytes in base64."""
    return json.dumps(
        {
            name: base64.b64encode(value).decode() if isinstance(value, bytes) else value
            for name, value in asdict(envelope).items()
        }
    )


def main(argv: list[str] | None = None) -> int:
    """Seal standard input; print the envelope as JSON, after opening it again as a check."""
    import boto3

    encryption_key_id, signing_key_id = (argv or sys.argv[1:])[:2]
    kms = boto3.client("kms")
    envelope = seal(kms, sys.stdin.buffer.read(), encryption_key_id, signing_key_id)
    open_envelope(kms, envelope, trusted_signer=signing_key_id)
    print(to_json(envelope))
    return 0


if __name__ == "__main__":
    sys.exit(main())
