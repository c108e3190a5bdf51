"""Key pairs: made when first needed, and what KMS does with them besides signing.

A KMS key's private key is made on its first use (:func:`private_key_of`),
never by CreateKey, and kept as PKCS #8 DER; the ``cryptography`` object
loaded from it is cached, so a key is parsed once, however often it is used.
Here are also RSAES-OAEP encryption, ECDH, ML-KEM, HMAC and data key pairs.

``cryptography`` makes every key and does every operation; it is imported
on first use, so importing kmsmock stays light. It has no SM2, no ML-KEM-512
and no Ed25519ph: :data:`GENERATORS` has no entry for SM2 or ML-KEM-512, and
the operations refuse them with :class:`~kmsmock.errors.UnimplementedOperationError`.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final

from ..errors import UnimplementedOperationError

if TYPE_CHECKING:
    from .keys import KmsKey

__all__ = [
    "GENERATORS",
    "OAEP_LIMITS",
    "InvalidPeerKey",
    "check_available",
    "decapsulate",
    "derive_shared_secret",
    "encapsulate",
    "generate_private_key",
    "hmac_digest",
    "load_private_key",
    "mac_matches",
    "new_key_pair",
    "oaep_decrypt",
    "oaep_encrypt",
    "private_key_of",
    "public_key_der",
    "public_key_of",
]


def _rsa(bits: int) -> Callable[[], Any]:
    def generate() -> Any:
        from cryptography.hazmat.primitives.asymmetric import rsa

        return rsa.generate_private_key(public_exponent=65537, key_size=bits)

    return generate


def _ec(curve: str) -> Callable[[], Any]:
    def generate() -> Any:
        from cryptography.hazmat.primitives.asymmetric import ec

        return ec.generate_private_key(getattr(ec, curve)())

    return generate


def _class(module: str, name: str) -> Callable[[], Any]:
    def generate() -> Any:
        import importlib

        return getattr(importlib.import_module(module), name).generate()

    return generate


_ASYMMETRIC = "cryptography.hazmat.primitives.asymmetric"

GENERATORS: Final[Mapping[str, Callable[[], Any]]] = {
    "RSA_2048": _rsa(2048),
    "RSA_3072": _rsa(3072),
    "RSA_4096": _rsa(4096),
    "ECC_NIST_P256": _ec("SECP256R1"),
    "ECC_NIST_P384": _ec("SECP384R1"),
    "ECC_NIST_P521": _ec("SECP521R1"),
    "ECC_SECG_P256K1": _ec("SECP256K1"),
    "ECC_NIST_EDWARDS25519": _class(f"{_ASYMMETRIC}.ed25519", "Ed25519PrivateKey"),
    "ML_DSA_44": _class(f"{_ASYMMETRIC}.mldsa", "MLDSA44PrivateKey"),
    "ML_DSA_65": _class(f"{_ASYMMETRIC}.mldsa", "MLDSA65PrivateKey"),
    "ML_DSA_87": _class(f"{_ASYMMETRIC}.mldsa", "MLDSA87PrivateKey"),
    "ML_KEM_768": _class(f"{_ASYMMETRIC}.mlkem", "MLKEM768PrivateKey"),
    "ML_KEM_1024": _class(f"{_ASYMMETRIC}.mlkem", "MLKEM1024PrivateKey"),
}
"""How ``cryptography`` makes a private key of each key spec it can make."""

_NOT_IN_CRYPTOGRAPHY: Final = {
    "SM2": "SM2 (cryptography has no SM2)",
    "ML_KEM_512": "ML-KEM-512 (cryptography has no ML-KEM-512)",
}


def check_available(operation: str, spec: str, member: str = "KeySpec") -> None:
    """Refuse, clearly, a key spec whose key pair kmsmock cannot make."""
    if spec not in GENERATORS:
        what = _NOT_IN_CRYPTOGRAPHY.get(spec, spec)
        raise UnimplementedOperationError(operation, f"{member} {spec}: {what}")


def generate_private_key(spec: str) -> bytes:
    """A new private key of ``spec``, as unencrypted PKCS #8 DER."""
    from cryptography.hazmat.primitives import serialization

    key = GENERATORS[spec]()
    der: bytes = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return der


@functools.lru_cache(maxsize=1024)
def load_private_key(der: bytes) -> Any:
    """The ``cryptography`` private key of PKCS #8 DER (kept: a key is used call after call)."""
    from cryptography.hazmat.primitives.serialization import load_der_private_key

    return load_der_private_key(der, password=None)


def private_key_of(operation: str, key: KmsKey) -> Any:
    """The key's private key: imported, or made now if this is its first use.

    A key with imported material (Origin EXTERNAL) holds its private key as
    its key material; the key state checks made sure it is imported.
    """
    check_available(operation, key.key_spec)
    if key.origin == "EXTERNAL":
        return load_private_key(key.material)
    if key.private_key is None:
        key.private_key = generate_private_key(key.key_spec)
    return load_private_key(key.private_key)


def public_key_of(operation: str, key: KmsKey) -> Any:
    """The key's public key (its key pair is made now if this is its first use)."""
    return private_key_of(operation, key).public_key()


def public_key_der(public_key: Any) -> bytes:
    """A public key as DER SubjectPublicKeyInfo (RFC 5280), as GetPublicKey answers it."""
    from cryptography.hazmat.primitives import serialization

    der: bytes = public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return der


def new_key_pair(spec: str) -> tuple[bytes, bytes]:
    """A fresh data key pair: the private key (PKCS #8 DER) and the public key (SPKI DER)."""
    private = generate_private_key(spec)
    return private, public_key_der(load_private_key(private).public_key())


# -- RSAES-OAEP -----------------------------------------------------------------------------

_OAEP_HASHES: Final = {"RSAES_OAEP_SHA_1": "SHA1", "RSAES_OAEP_SHA_256": "SHA256"}
_OAEP_HASH_BYTES: Final = {"RSAES_OAEP_SHA_1": 20, "RSAES_OAEP_SHA_256": 32}
_RSA_BYTES: Final = {"RSA_2048": 256, "RSA_3072": 384, "RSA_4096": 512}

OAEP_LIMITS: Final[Mapping[tuple[str, str], int]] = {
    (spec, algorithm): modulus - 2 * digest - 2
    for spec, modulus in _RSA_BYTES.items()
    for algorithm, digest in _OAEP_HASH_BYTES.items()
}
"""The largest plaintext RSAES-OAEP encrypts, by (key spec, algorithm): k - 2·hLen - 2
(RFC 8017, section 7.1.1)."""


def _oaep(algorithm: str) -> Any:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    digest = getattr(hashes, _OAEP_HASHES[algorithm])()
    return padding.OAEP(mgf=padding.MGF1(digest), algorithm=digest, label=None)


def oaep_encrypt(public_key: Any, algorithm: str, plaintext: bytes) -> bytes:
    """RSAES-OAEP with MGF1 and the algorithm's hash, as KMS encrypts under an RSA key."""
    ciphertext: bytes = public_key.encrypt(plaintext, _oaep(algorithm))
    return ciphertext


def oaep_decrypt(private_key: Any, algorithm: str, ciphertext: bytes) -> bytes | None:
    """The plaintext of an RSAES-OAEP ciphertext, or None if it does not decrypt."""
    try:
        plaintext: bytes = private_key.decrypt(ciphertext, _oaep(algorithm))
    except ValueError:
        return None
    return plaintext


# -- ECDH and ML-KEM ------------------------------------------------------------------------


class InvalidPeerKey(Exception):
    """The peer's public key is not a DER SubjectPublicKeyInfo on the key's curve."""


def derive_shared_secret(private_key: Any, peer_der: bytes) -> bytes:
    """ECDH: the raw shared secret of the key's private key and a peer's public key."""
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import load_der_public_key

    try:
        peer = load_der_public_key(peer_der)
    except (ValueError, TypeError):
        raise InvalidPeerKey("not a DER SubjectPublicKeyInfo") from None
    if not isinstance(peer, ec.EllipticCurvePublicKey) or peer.curve.name != private_key.curve.name:
        raise InvalidPeerKey("not a public key on the key's curve")
    secret: bytes = private_key.exchange(ec.ECDH(), peer)
    return secret


_KEM_CIPHERTEXT_BYTES: Final = {"ML_KEM_512": 768, "ML_KEM_768": 1088, "ML_KEM_1024": 1568}


def encapsulate(public_key: Any) -> tuple[bytes, bytes]:
    """ML-KEM: a fresh 32-byte shared secret and its encapsulation under the public key."""
    secret, ciphertext = public_key.encapsulate()
    return bytes(secret), bytes(ciphertext)


def decapsulate(spec: str, private_key: Any, ciphertext: bytes) -> bytes | None:
    """ML-KEM: the shared secret of a ciphertext, or None if its length does not fit the spec.

    Any ciphertext of the right length gives 32 bytes (implicit rejection), as in AWS.
    """
    if len(ciphertext) != _KEM_CIPHERTEXT_BYTES[spec]:
        return None
    return bytes(private_key.decapsulate(ciphertext))


# -- HMAC -----------------------------------------------------------------------------------

_MAC_HASHES: Final = {
    "HMAC_SHA_224": hashlib.sha224,
    "HMAC_SHA_256": hashlib.sha256,
    "HMAC_SHA_384": hashlib.sha384,
    "HMAC_SHA_512": hashlib.sha512,
}


def hmac_digest(secret: bytes, algorithm: str, message: bytes) -> bytes:
    """The HMAC (RFC 2104) of ``message`` under the key's secret."""
    return hmac.new(secret, message, _MAC_HASHES[algorithm]).digest()


def mac_matches(secret: bytes, algorithm: str, message: bytes, mac: bytes) -> bool:
    """Whether ``mac`` is the HMAC of ``message`` (compared in constant time)."""
    return hmac.compare_digest(hmac_digest(secret, algorithm, message), mac)
