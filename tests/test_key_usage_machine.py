"""Model-based test: random lives of asymmetric, HMAC and symmetric keys, against a reference.

A hypothesis RuleBasedStateMachine creates three standard (``AWS_KMS``
origin) keys of different kinds, drawn from :data:`KINDS` (RSA for encryption
and for signing, ECC P-256 for signing and for key agreement, HMAC, ML-DSA,
ML-KEM, symmetric encryption), each Enabled, Disabled or pending deletion
(reached by the same checked steps), and drives them through a real boto3
client with random sequences of up to 10 of: DisableKey, EnableKey,
ScheduleKeyDeletion (7 to 30 days), CancelKeyDeletion, moving the mock
clock (past a key's deletion date the key is gone), and every use a key can be put to: Sign, Verify
(every signature made so far, and a forged one), Encrypt and Decrypt (every
ciphertext so far, including ciphertexts made outside KMS with the public
key), GenerateMac and VerifyMac (every MAC so far, and a forged one),
GetPublicKey, DeriveSharedSecret, Encapsulate and Decapsulate (every
encapsulation so far, including ones made outside KMS), GenerateDataKeyPair
and CreateGrant. Each use is aimed at any of the keys, whatever its kind, and
with algorithms drawn from every algorithm of the operation, so that uses
that do not fit the key's usage or spec are as common as uses that fit.

After every step, the outcome (success, or which error) must be the
reference's, and so must each key's KeyState, Enabled, DeletionDate, KeySpec
and KeyUsage (DescribeKey; NotFoundException once the key is gone). A
success is checked for what it gives: signatures verify with ``cryptography``
and GetPublicKey's public key; ECDH secrets equal the peer's own; ML-KEM
secrets match both ways; MACs are the same for the same message; data key
pairs' public keys match their private keys, and their encrypted private
keys decrypt to them; GetPublicKey's key never changes.

The reference is written from AWS's reference text, not from kmsmock's tables
(it imports none of them):

- "Key states of KMS keys" (KMS Developer Guide): every use here, and
  CreateGrant, succeeds on an Enabled key, answers DisabledException on a
  Disabled key and KMSInvalidStateException on a key pending deletion.
  EnableKey and DisableKey answer KMSInvalidStateException on a key pending
  deletion; so do ScheduleKeyDeletion on a key already pending deletion and
  CancelKeyDeletion on a key that is not. DescribeKey succeeds in every state.
- ScheduleKeyDeletion: PendingDeletion for the waiting period; "After the
  waiting period ends, KMS deletes the KMS key" (DeletionDate: "The date and
  time after which KMS deletes the KMS key"), so every request names a key
  that does not exist: NotFoundException. The exact instant of the deletion
  date is never tested (the text does not say which side it falls on).
  CancelKeyDeletion: the key is Disabled afterwards ("Cancel key deletion").
- InvalidKeyUsageException: "The KeyUsage value of the KMS key is incompatible
  with the API operation", or "The encryption algorithm or signing algorithm
  specified for the operation is incompatible with the type of key material in
  the KMS key (KeySpec)". The algorithms of each kind of key are the Developer
  Guide's "Key spec reference". GenerateDataKeyPair needs a symmetric
  encryption KMS key ("You cannot specify an asymmetric KMS key"): its
  algorithm, SYMMETRIC_DEFAULT, does not fit any other.
- GetPublicKey of a symmetric or HMAC key: UnsupportedOperationException ("a
  specified resource is not valid for this operation").
- CreateGrant: an operation "not supported on the KMS key" is a
  ValidationException. KMSInvalidSignatureException and KMSInvalidMacException
  for a signature or MAC that does not verify.

The reference text does not say which error comes first when a request
breaks a key-state rule and a usage rule at once (say, Sign with a disabled
HMAC key): either is accepted, and the summary counts how often kmsmock
answered with the key-state error ("state first").
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, mldsa, mlkem, padding, rsa
from hypothesis import strategies as st
from hypothesis.stateful import (
    initialize,
    invariant,
    rule,
)
from machine_helpers import FrozenClockMachine, run_chunk

SEQUENCES = 240
CHUNKS = 2  # run as separate tests, so that xdist can spread them over its workers
STEPS_PER_SEQUENCE = 10
KEYS_PER_SEQUENCE = 3
HOUR, DAY = 3600, 86_400

NOT_FOUND, DISABLED, INVALID_STATE = (
    "NotFoundException",
    "DisabledException",
    "KMSInvalidStateException",
)
INVALID_USAGE, UNSUPPORTED, VALIDATION = (
    "InvalidKeyUsageException",
    "UnsupportedOperationException",
    "ValidationException",
)

# -- the reference's kinds of key (the Developer Guide's "Key spec reference") ------------

SIGN_VERIFY, ENCRYPT_DECRYPT, MAC = "SIGN_VERIFY", "ENCRYPT_DECRYPT", "GENERATE_VERIFY_MAC"
KEY_AGREEMENT, KEM = "KEY_AGREEMENT", "ENCAPSULATE_DECAPSULATE"
RSA_SIGNING = tuple(
    f"RSASSA_{scheme}_SHA_{bits}" for scheme in ("PKCS1_V1_5", "PSS") for bits in (256, 384, 512)
)
RSA_ENCRYPTION = ("RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256")

KINDS: dict[tuple[str, str], tuple[str, ...]] = {
    # (KeySpec, KeyUsage): the algorithms a key of that kind supports
    ("RSA_2048", ENCRYPT_DECRYPT): RSA_ENCRYPTION,
    ("RSA_2048", SIGN_VERIFY): RSA_SIGNING,
    ("ECC_NIST_P256", SIGN_VERIFY): ("ECDSA_SHA_256",),
    ("ECC_NIST_P256", KEY_AGREEMENT): ("ECDH",),
    ("HMAC_256", MAC): ("HMAC_SHA_256",),
    ("ML_DSA_44", SIGN_VERIFY): ("ML_DSA_SHAKE_256",),
    ("ML_KEM_768", KEM): ("ML_KEM",),
    ("SYMMETRIC_DEFAULT", ENCRYPT_DECRYPT): ("SYMMETRIC_DEFAULT",),
}
SIGNING_ALGORITHMS = (*RSA_SIGNING, "ECDSA_SHA_256", "ECDSA_SHA_384", "ML_DSA_SHAKE_256")
ENCRYPTION_ALGORITHMS = ("SYMMETRIC_DEFAULT", *RSA_ENCRYPTION)
MAC_ALGORITHMS = ("HMAC_SHA_256", "HMAC_SHA_512")
KEY_PAIR_SPECS = ("ECC_NIST_P256", "ECC_NIST_EDWARDS25519", "ML_KEM_768")
MESSAGES = (b"alpha", b"beta")

GRANT_OPERATION: dict[tuple[str, str], str] = {
    # one grant operation each kind of key supports ("Grant operations")
    ("RSA_2048", ENCRYPT_DECRYPT): "Decrypt",
    ("RSA_2048", SIGN_VERIFY): "Sign",
    ("ECC_NIST_P256", SIGN_VERIFY): "Verify",
    ("ECC_NIST_P256", KEY_AGREEMENT): "DeriveSharedSecret",
    ("HMAC_256", MAC): "GenerateMac",
    ("ML_DSA_44", SIGN_VERIFY): "Sign",
    ("ML_KEM_768", KEM): "Decapsulate",
    ("SYMMETRIC_DEFAULT", ENCRYPT_DECRYPT): "GenerateDataKey",
}
"""And the one it does not: GenerateMac for a key of another usage, Sign for an HMAC key."""

STARTING_STATES = ("Enabled", "Enabled", "Disabled", "PendingDeletion")
"""Each key starts in one of these (Enabled twice as often), reached by the checked steps."""

STATE_ERRORS = {"Enabled": None, "Disabled": DISABLED, "PendingDeletion": INVALID_STATE}
"""The key states page, for every use of a key (and CreateGrant)."""


@dataclass
class RefKey:
    """One key as the reference sees it."""

    key_id: str
    spec: str
    usage: str
    enabled: bool = True
    deletion_at: float | None = None  # seconds after the start, while pending deletion
    gone: bool = False
    grants: int = 0
    public_der: bytes | None = None

    @property
    def kind(self) -> tuple[str, str]:
        return (self.spec, self.usage)

    def state(self) -> str:
        if self.deletion_at is not None:
            return "PendingDeletion"
        return "Enabled" if self.enabled else "Disabled"

    def fits(self, usage: str, algorithm: str | None = None) -> bool:
        """The key's usage is ``usage`` and its spec supports ``algorithm``."""
        return self.usage == usage and (algorithm is None or algorithm in KINDS[self.kind])


def outcome_of(call: Callable[..., Any], **params: Any) -> tuple[str | None, dict[str, Any]]:
    try:
        return None, call(**params)
    except ClientError as error:
        return str(error.response["Error"]["Code"]), {}


def verify_locally(public_der: bytes, algorithm: str, message: bytes, signature: bytes) -> None:
    """Raise unless ``signature`` is the signature of ``message`` under the public key."""
    public_key = serialization.load_der_public_key(public_der)
    if isinstance(public_key, mldsa.MLDSA44PublicKey):
        public_key.verify(signature, message)
        return
    digest = {"256": hashes.SHA256, "384": hashes.SHA384, "512": hashes.SHA512}[algorithm[-3:]]()
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        public_key.verify(signature, message, ec.ECDSA(digest))
        return
    assert isinstance(public_key, rsa.RSAPublicKey)
    pad: padding.AsymmetricPadding = padding.PKCS1v15()
    if "_PSS_" in algorithm:
        pad = padding.PSS(mgf=padding.MGF1(digest), salt_length=digest.digest_size)
    public_key.verify(signature, message, pad, digest)


class KeyUsageMachine(FrozenClockMachine):
    """Random steps on a few keys of different kinds, checked against the reference."""

    def __init__(self) -> None:
        super().__init__()
        self.now = 0.0  # seconds since the start, on the mock clock
        self.keys: list[RefKey] = []
        self.signatures: list[tuple[RefKey, str, bytes, bytes]] = []  # key, algorithm, msg, sig
        self.ciphertexts: list[tuple[RefKey, str | None, bytes, bytes]] = []  # ..., blob, plain
        self.macs: dict[tuple[str, bytes], bytes] = {}  # (key id, message) -> MAC
        self.encapsulations: list[tuple[RefKey, bytes, bytes]] = []  # key, ciphertext, secret

    @initialize(
        kinds=st.lists(
            st.sampled_from(sorted(KINDS)),
            min_size=KEYS_PER_SEQUENCE,
            max_size=KEYS_PER_SEQUENCE,
            unique=True,
        ),
        shapes=st.lists(
            st.sampled_from(STARTING_STATES), min_size=KEYS_PER_SEQUENCE, max_size=KEYS_PER_SEQUENCE
        ),
        days=st.integers(7, 30),
    )
    def start(self, kinds: list[tuple[str, str]], shapes: list[str], days: int) -> None:
        self.begin()
        for spec, usage in kinds:
            answer = self.kms.create_key(KeySpec=spec, KeyUsage=usage)["KeyMetadata"]
            self.keys.append(RefKey(answer["KeyId"], spec, usage))
        for key, shape in zip(self.keys, shapes, strict=True):  # by the same checked steps
            if shape == "Disabled":
                self.enable_or_disable_key(key, enable=False)
            elif shape == "PendingDeletion":
                self.schedule_deletion_of(key, days)

    # -- the reference's verdict -------------------------------------------------------------

    def expect(self, key: RefKey, misfit: str | None) -> set[str | None]:
        """The outcomes the reference allows for a use of ``key`` (``misfit``: the error the
        request earns whatever the key state, if any)."""
        if key.gone:
            return {NOT_FOUND}
        refused = STATE_ERRORS[key.state()]
        if refused is not None and misfit is not None:
            return {refused, misfit}  # the reference text does not say which check comes first
        return {refused or misfit}

    def check(self, code: str | None, allowed: set[str | None], what: str) -> None:
        assert code in allowed, f"{what}: kmsmock answered {code}, the reference allows {allowed}"
        if len(allowed) > 1:
            self.counts["both rules broken"] += 1
            self.counts["state first"] += code in STATE_ERRORS.values()
        self.counts["refusals" if code is not None else "successes"] += 1

    def pick(self, data: st.DataObject, usage: str | None = None) -> RefKey:
        """Any key; half the time, one of ``usage`` if there is one (so that uses that fit
        are as common as uses that do not)."""
        self.counts["steps"] += 1
        fitting = [key for key in self.keys if key.usage == usage]
        if fitting and data.draw(st.booleans(), label="fitting key"):
            return data.draw(st.sampled_from(fitting), label="key")
        return data.draw(st.sampled_from(self.keys), label="key")

    def algorithm(self, data: st.DataObject, key: RefKey, every: tuple[str, ...]) -> str:
        """One of the key's own algorithms among ``every``, or any of them."""
        own = [name for name in every if name in KINDS[key.kind]]
        choices = st.sampled_from(every)
        if own:
            choices = st.sampled_from(own) | choices
        return data.draw(choices, label="algorithm")

    def public_der(self, key: RefKey) -> bytes:
        """GetPublicKey's key (the key is usable: it just answered a request)."""
        if key.public_der is None:
            key.public_der = self.kms.get_public_key(KeyId=key.key_id)["PublicKey"]
        return key.public_der

    # -- key states ------------------------------------------------------------------------

    @rule(data=st.data(), enable=st.booleans())
    def enable_or_disable(self, data: st.DataObject, enable: bool) -> None:
        self.enable_or_disable_key(self.pick(data), enable)

    def enable_or_disable_key(self, key: RefKey, enable: bool) -> None:
        call = self.kms.enable_key if enable else self.kms.disable_key
        code, _ = outcome_of(call, KeyId=key.key_id)
        pending = key.deletion_at is not None
        allowed = {NOT_FOUND} if key.gone else {INVALID_STATE if pending else None}
        self.check(code, allowed, "EnableKey" if enable else "DisableKey")
        if code is None:
            key.enabled = enable

    @rule(data=st.data(), days=st.integers(7, 30))
    def schedule_deletion(self, data: st.DataObject, days: int) -> None:
        self.schedule_deletion_of(self.pick(data), days)

    def schedule_deletion_of(self, key: RefKey, days: int) -> None:
        code, answer = outcome_of(
            self.kms.schedule_key_deletion, KeyId=key.key_id, PendingWindowInDays=days
        )
        pending = key.deletion_at is not None
        allowed = {NOT_FOUND} if key.gone else {INVALID_STATE if pending else None}
        self.check(code, allowed, "ScheduleKeyDeletion")
        if code is None:
            key.deletion_at = self.now + days * DAY
            assert answer["KeyState"] == "PendingDeletion"
            assert answer["PendingWindowInDays"] == days
            assert answer["DeletionDate"].timestamp() == self.start_time + key.deletion_at

    @rule(data=st.data())
    def cancel_deletion(self, data: st.DataObject) -> None:
        key = self.pick(data)
        code, _ = outcome_of(self.kms.cancel_key_deletion, KeyId=key.key_id)
        pending = key.deletion_at is not None
        allowed = {NOT_FOUND} if key.gone else {None if pending else INVALID_STATE}
        self.check(code, allowed, "CancelKeyDeletion")
        if code is None:
            key.deletion_at, key.enabled = None, False  # "the key state ... is Disabled"

    @rule(seconds=st.sampled_from([HOUR, 3 * DAY, 8 * DAY, 31 * DAY]))
    def advance(self, seconds: int) -> None:
        assert self.ks is not None
        self.counts["steps"] += 1
        if any(key.deletion_at == self.now + seconds for key in self.keys):
            seconds += 1  # never exactly at a deletion date: the text leaves it open
        self.ks.advance(seconds)
        self.now += seconds
        for key in self.keys:
            if key.deletion_at is not None and key.deletion_at < self.now:
                key.gone = True

    # -- signatures ------------------------------------------------------------------------

    @rule(data=st.data(), message=st.sampled_from(MESSAGES))
    def sign(self, data: st.DataObject, message: bytes) -> None:
        key = self.pick(data, SIGN_VERIFY)
        algorithm = self.algorithm(data, key, SIGNING_ALGORITHMS)
        code, answer = outcome_of(
            self.kms.sign, KeyId=key.key_id, Message=message, SigningAlgorithm=algorithm
        )
        misfit = None if key.fits(SIGN_VERIFY, algorithm) else INVALID_USAGE
        self.check(code, self.expect(key, misfit), f"Sign {algorithm}")
        if code is None:
            signature = answer["Signature"]
            assert answer["SigningAlgorithm"] == algorithm
            verify_locally(self.public_der(key), algorithm, message, signature)
            self.signatures.append((key, algorithm, message, signature))

    @rule(forged=st.booleans())
    def verify_every_signature(self, forged: bool) -> None:
        self.counts["steps"] += 1
        for key, algorithm, message, signature in self.signatures:
            if forged:
                message = message + b"!"
            code, answer = outcome_of(
                self.kms.verify,
                KeyId=key.key_id,
                Message=message,
                Signature=signature,
                SigningAlgorithm=algorithm,
            )
            misfit = "KMSInvalidSignatureException" if forged else None
            self.check(code, self.expect(key, misfit), "Verify")
            if code is None:
                assert answer["SignatureValid"] is True
            if not forged:  # whatever the key state, the public key verifies it
                assert key.public_der is not None
                verify_locally(key.public_der, algorithm, message, signature)

    # -- encryption --------------------------------------------------------------------------

    @rule(data=st.data(), default=st.booleans())
    def encrypt(self, data: st.DataObject, default: bool) -> None:
        key = self.pick(data, ENCRYPT_DECRYPT)
        named = self.algorithm(data, key, ENCRYPTION_ALGORITHMS)
        algorithm = None if default else named  # None: the default, SYMMETRIC_DEFAULT
        plaintext = os.urandom(16)
        params = {} if algorithm is None else {"EncryptionAlgorithm": algorithm}
        code, answer = outcome_of(self.kms.encrypt, KeyId=key.key_id, Plaintext=plaintext, **params)
        fits = key.fits(ENCRYPT_DECRYPT, algorithm or "SYMMETRIC_DEFAULT")
        self.check(code, self.expect(key, None if fits else INVALID_USAGE), f"Encrypt {algorithm}")
        if code is None:
            assert answer["EncryptionAlgorithm"] == (algorithm or "SYMMETRIC_DEFAULT")
            if key.spec == "RSA_2048":
                assert len(answer["CiphertextBlob"]) == 256  # as long as the modulus
            self.ciphertexts.append((key, algorithm, answer["CiphertextBlob"], plaintext))

    @rule()
    def decrypt_every_ciphertext(self) -> None:
        self.counts["steps"] += 1
        for key, algorithm, blob, plaintext in self.ciphertexts:
            params = {} if algorithm is None else {"EncryptionAlgorithm": algorithm}
            code, answer = outcome_of(
                self.kms.decrypt, KeyId=key.key_id, CiphertextBlob=blob, **params
            )
            self.check(code, self.expect(key, None), "Decrypt")
            if code is None:
                assert answer["Plaintext"] == plaintext

    @rule(data=st.data(), spec=st.sampled_from(KEY_PAIR_SPECS))
    def generate_data_key_pair(self, data: st.DataObject, spec: str) -> None:
        key = self.pick(data, ENCRYPT_DECRYPT)
        code, answer = outcome_of(
            self.kms.generate_data_key_pair, KeyId=key.key_id, KeyPairSpec=spec
        )
        misfit = None if key.fits(ENCRYPT_DECRYPT, "SYMMETRIC_DEFAULT") else INVALID_USAGE
        self.check(code, self.expect(key, misfit), f"GenerateDataKeyPair {spec}")
        if code is None:
            private_der = answer["PrivateKeyPlaintext"]
            if spec != "ML_KEM_768":  # PKCS #8 of the others: its public key is PublicKey
                private_key = serialization.load_der_private_key(private_der, None)
                assert (
                    private_key.public_key().public_bytes(
                        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
                    )
                    == answer["PublicKey"]
                )
            self.ciphertexts.append((key, None, answer["PrivateKeyCiphertextBlob"], private_der))

    # -- MACs ------------------------------------------------------------------------------

    @rule(data=st.data(), message=st.sampled_from(MESSAGES))
    def generate_mac(self, data: st.DataObject, message: bytes) -> None:
        key = self.pick(data, MAC)
        algorithm = self.algorithm(data, key, MAC_ALGORITHMS)
        code, answer = outcome_of(
            self.kms.generate_mac, KeyId=key.key_id, Message=message, MacAlgorithm=algorithm
        )
        misfit = None if key.fits(MAC, algorithm) else INVALID_USAGE
        self.check(code, self.expect(key, misfit), f"GenerateMac {algorithm}")
        if code is None:
            earlier = self.macs.setdefault((key.key_id, message), answer["Mac"])
            assert answer["Mac"] == earlier  # the same key and message: the same MAC
            assert len(answer["Mac"]) == 32

    @rule(forged=st.booleans())
    def verify_every_mac(self, forged: bool) -> None:
        self.counts["steps"] += 1
        by_id = {key.key_id: key for key in self.keys}
        for (key_id, message), mac in self.macs.items():
            key = by_id[key_id]
            code, answer = outcome_of(
                self.kms.verify_mac,
                KeyId=key_id,
                Message=message + (b"!" if forged else b""),
                Mac=mac,
                MacAlgorithm="HMAC_SHA_256",
            )
            misfit = "KMSInvalidMacException" if forged else None
            self.check(code, self.expect(key, misfit), "VerifyMac")
            if code is None:
                assert answer["MacValid"] is True

    # -- public keys and shared secrets ------------------------------------------------------

    @rule(data=st.data())
    def get_public_key(self, data: st.DataObject) -> None:
        key = self.pick(data)
        code, answer = outcome_of(self.kms.get_public_key, KeyId=key.key_id)
        asymmetric = key.spec not in ("SYMMETRIC_DEFAULT", "HMAC_256")
        self.check(code, self.expect(key, None if asymmetric else UNSUPPORTED), "GetPublicKey")
        if code is not None:
            return
        assert (answer["KeySpec"], answer["KeyUsage"]) == key.kind
        if key.public_der is not None:
            assert answer["PublicKey"] == key.public_der  # the key pair never changes
        key.public_der = answer["PublicKey"]
        public_key = serialization.load_der_public_key(key.public_der)
        if key.kind == ("RSA_2048", ENCRYPT_DECRYPT):  # a ciphertext made outside KMS
            assert isinstance(public_key, rsa.RSAPublicKey)
            plaintext = os.urandom(16)
            blob = public_key.encrypt(
                plaintext,
                padding.OAEP(
                    mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None
                ),
            )
            self.ciphertexts.append((key, "RSAES_OAEP_SHA_256", blob, plaintext))
        elif key.usage == KEM:  # an encapsulation made outside KMS
            assert isinstance(public_key, mlkem.MLKEM768PublicKey)
            secret, ciphertext = public_key.encapsulate()
            self.encapsulations.append((key, bytes(ciphertext), bytes(secret)))

    @rule(data=st.data())
    def derive_shared_secret(self, data: st.DataObject) -> None:
        key = self.pick(data, KEY_AGREEMENT)
        peer = ec.generate_private_key(ec.SECP256R1())
        peer_der = peer.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        code, answer = outcome_of(
            self.kms.derive_shared_secret,
            KeyId=key.key_id,
            KeyAgreementAlgorithm="ECDH",
            PublicKey=peer_der,
        )
        misfit = None if key.fits(KEY_AGREEMENT, "ECDH") else INVALID_USAGE
        self.check(code, self.expect(key, misfit), "DeriveSharedSecret")
        if code is None:
            own = serialization.load_der_public_key(self.public_der(key))
            assert isinstance(own, ec.EllipticCurvePublicKey)
            assert answer["SharedSecret"] == peer.exchange(ec.ECDH(), own)

    @rule(data=st.data())
    def encapsulate(self, data: st.DataObject) -> None:
        key = self.pick(data, KEM)
        code, answer = outcome_of(
            self.kms.encapsulate, KeyId=key.key_id, EncapsulationAlgorithm="ML_KEM"
        )
        misfit = None if key.fits(KEM, "ML_KEM") else INVALID_USAGE
        self.check(code, self.expect(key, misfit), "Encapsulate")
        if code is None:
            secret, ciphertext = answer["SharedSecret"], answer["SharedSecretCiphertextBlob"]
            assert len(secret) == 32
            self.encapsulations.append((key, ciphertext, secret))

    @rule()
    def decapsulate_every_ciphertext(self) -> None:
        self.counts["steps"] += 1
        for key, ciphertext, secret in self.encapsulations:
            code, answer = outcome_of(
                self.kms.decapsulate,
                KeyId=key.key_id,
                EncapsulationAlgorithm="ML_KEM",
                SharedSecretCiphertextBlob=ciphertext,
            )
            self.check(code, self.expect(key, None), "Decapsulate")
            if code is None:
                assert answer["SharedSecret"] == secret

    # -- grants ----------------------------------------------------------------------------

    @rule(data=st.data(), fitting=st.booleans())
    def create_grant(self, data: st.DataObject, fitting: bool) -> None:
        key = self.pick(data)
        if fitting:
            operation = GRANT_OPERATION[key.kind]
        else:
            operation = "Sign" if key.usage == MAC else "GenerateMac"
        code, _ = outcome_of(
            self.kms.create_grant,
            KeyId=key.key_id,
            GranteePrincipal="arn:aws:iam::123456789012:role/grantee",
            Operations=[operation, "DescribeKey"],
        )
        self.check(code, self.expect(key, None if fitting else VALIDATION), f"grant {operation}")
        key.grants += code is None
        if not key.gone:
            listed = self.kms.list_grants(KeyId=key.key_id)["Grants"]  # every key state
            assert len(listed) == key.grants

    # -- after every step ---------------------------------------------------------------------

    @invariant()
    def kms_shows_what_the_reference_predicts(self) -> None:
        if self.ks is None:
            return
        for key in self.keys:
            code, answer = outcome_of(self.kms.describe_key, KeyId=key.key_id)
            assert code == (NOT_FOUND if key.gone else None), f"DescribeKey: {code}"
            if code is not None:
                continue
            shown = answer["KeyMetadata"]
            state = key.state()
            assert shown["KeyState"] == state
            assert shown["Enabled"] is (state == "Enabled")
            assert (shown["KeySpec"], shown["KeyUsage"]) == key.kind
            deletion = shown.get("DeletionDate")
            if key.deletion_at is None:
                assert deletion is None
            else:
                assert deletion is not None
                assert deletion.timestamp() == self.start_time + key.deletion_at


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_random_lives_of_keys_of_every_usage_match_the_reference(
    chunk: int, report_count: Callable[[str, int], None]
) -> None:
    counts = dict.fromkeys(
        ("sequences", "steps", "successes", "refusals", "both rules broken", "state first"), 0
    )
    run_chunk(
        KeyUsageMachine,
        chunk,
        sequences=SEQUENCES // CHUNKS,
        steps=STEPS_PER_SEQUENCE,
        report=report_count,
        label="key usage machine",
        counts=counts,
    )
