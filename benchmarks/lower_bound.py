"""The least any answer at botocore's before-send boundary can cost, beside kmsmock's.

Run from a checkout with the dev extra installed::

    python benchmarks/lower_bound.py    # about a minute

``run.py`` compares kmsmock with the floor: botocore answered at
``before-send`` by a ready response. This script asks how close *any* answer
made at that boundary can come to the floor, to tell what the 1.10 target
leaves for a simulated KMS. For each operation it times, side by side with
the floor, in interleaved rounds as ``run.py`` does:

- **boundary**: kmsmock's botocore transport, with the answer made ahead.
  What it costs to be at the boundary at all: sign as the caller at
  ``before-sign``, read the caller and hand the request over at
  ``before-send``, give botocore the answer.
- **least work, no AES**: the least work below, with AES-GCM swapped for a
  copy of the plaintext and a blank tag of the same size.
- **least work**: the same handlers, and an answer written by hand for this
  one request, which does only what no KMS simulation can skip: read the
  JSON body, find the key (or the store, which must be CONNECTED), run
  AES-GCM (Encrypt, Decrypt, GenerateDataKey) or make the key (CreateKey),
  log the call, write the JSON answer. It checks nothing else: no
  validation, no aliases or ARNs, no key states, no faults, no errors. It is
  not a mock; it is a bound.
- **kmsmock**: the call answered by an active ``mock_kms_keystores``.

The answers have the members kmsmock's have, with values of the same size, so
botocore's own work on them is the same.
"""

from __future__ import annotations

import binascii
import itertools
import json
import os
import statistics
import struct
import sys
import time
import uuid
from collections.abc import Callable
from typing import Any

import boto3
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from floor import CLUSTER, REGION, Floor, capture, timed_batch

from kmsmock import activation, mock_kms_keystores
from kmsmock.protocol.messages import Request, Response
from kmsmock.transport.botocore_transport import botocore_transport

Answer = Callable[[Any, str, bytes, str, str], tuple[int, dict[str, str], bytes]]

_HEADER = struct.Struct(">4sBBH")  # kmsmock's ciphertext blob header (docs/keys.md)
_scan = json.scanner.make_scanner(json.JSONDecoder())  # type: ignore[attr-defined]
_b64 = binascii.b2a_base64
_unb64 = binascii.a2b_base64
_ids = itertools.cycle([str(uuid.uuid4()) for _ in range(256)])


def _reply(text: str) -> tuple[int, dict[str, str], bytes]:
    body = text.encode()
    headers = {
        "x-amzn-RequestId": next(_ids),
        "Content-Type": "application/x-amz-json-1.1",
        "Content-Length": str(len(body)),
    }
    return 200, headers, body


class _NoAes:
    """AES-GCM's shape without its work: the data and a blank 16-byte tag."""

    def encrypt(self, nonce: bytes, data: bytes, aad: bytes | None) -> bytes:
        return data + bytes(16)

    def decrypt(self, nonce: bytes, data: bytes, aad: bytes | None) -> bytes:
        return data[:-16]


class LeastWork:
    """Hand-written answers for the benchmark's requests, doing only what cannot be skipped."""

    def __init__(self, key_id: str, key_arn: str, material: bytes, material_id: str) -> None:
        self.keys = {key_id: key_arn}
        self.ciphers: dict[str, Any] = {key_arn: AESGCM(material)}
        self.material_id = material_id
        self.stores: dict[str, tuple[str, str]] = {}
        self.log: list[tuple[Any, ...]] = []
        self.nonces = itertools.count()
        self.new_keys = iter(
            [(str(uuid.uuid4()), os.urandom(32), os.urandom(32).hex()) for _ in range(20_000)]
        )
        self.data_keys = iter([os.urandom(32) for _ in range(20_000)])
        self.keys_made: dict[str, tuple[str, bytes, float]] = {}

    def without_aes(self) -> LeastWork:
        """The same answers, with AES-GCM's work left out."""
        twin = LeastWork.__new__(LeastWork)
        twin.__dict__.update(self.__dict__)
        twin.ciphers = {arn: _NoAes() for arn in self.ciphers}
        return twin

    def add_store(self, store_id: str, cluster_id: str) -> None:
        """A CONNECTED CloudHSM key store, for CreateKey in a store."""
        self.stores[store_id] = ("CONNECTED", cluster_id)

    def _seal(self, arn: str, plaintext: bytes) -> str:
        """The base64 text of a blob in kmsmock's format."""
        nonce = next(self.nonces).to_bytes(12, "big")
        sealed = self.ciphers[arn].encrypt(nonce, plaintext, None)
        header = _HEADER.pack(b"KMSM", 3, 1, len(arn)) + arn.encode()
        blob = header + bytes.fromhex(self.material_id) + nonce + sealed
        return _b64(blob, newline=False).decode()

    def encrypt(self, sim: Any, operation: str, body: bytes, account: str, region: str) -> Any:
        params, _ = _scan(body.decode(), 0)
        key_id = params["KeyId"]
        now = time.time()
        arn = self.keys[key_id]
        blob = self._seal(arn, _unb64(params["Plaintext"]))
        self.log.append((operation, account, region, {"KeyId": key_id}, now))
        return _reply(
            f'{{"CiphertextBlob":"{blob}","KeyId":"{arn}","EncryptionAlgorithm":"SYMMETRIC_DEFAULT"}}'
        )

    def generate_data_key(
        self, sim: Any, operation: str, body: bytes, account: str, region: str
    ) -> Any:
        params, _ = _scan(body.decode(), 0)
        now = time.time()
        arn = self.keys[params["KeyId"]]
        plaintext = next(self.data_keys)
        blob = self._seal(arn, plaintext)
        self.log.append((operation, account, region, params, now))
        return _reply(
            f'{{"CiphertextBlob":"{blob}","Plaintext":"{_b64(plaintext, newline=False).decode()}",'
            f'"KeyId":"{arn}","KeyMaterialId":"{self.material_id}"}}'
        )

    def decrypt(self, sim: Any, operation: str, body: bytes, account: str, region: str) -> Any:
        params, _ = _scan(body.decode(), 0)
        blob = _unb64(params["CiphertextBlob"])
        now = time.time()
        arn_end = _HEADER.size + _HEADER.unpack_from(blob)[3]
        arn = blob[_HEADER.size : arn_end].decode()
        nonce_start = arn_end + 32  # after the key material id
        nonce = blob[nonce_start : nonce_start + 12]
        plaintext = self.ciphers[arn].decrypt(nonce, blob[nonce_start + 12 :], None)
        self.log.append((operation, account, region, {}, now))
        return _reply(
            f'{{"KeyId":"{arn}","Plaintext":"{_b64(plaintext, newline=False).decode()}",'
            f'"EncryptionAlgorithm":"SYMMETRIC_DEFAULT","KeyMaterialId":"{self.material_id}"}}'
        )

    def create_key(self, sim: Any, operation: str, body: bytes, account: str, region: str) -> Any:
        params, _ = _scan(body.decode(), 0)
        store_id = params.get("CustomKeyStoreId")
        if store_id is None:
            origin, tail = "AWS_KMS", ""
        else:
            state, cluster_id = self.stores[store_id]
            if state != "CONNECTED":
                raise AssertionError("the benchmark's store is CONNECTED")
            origin = "AWS_CLOUDHSM"
            tail = f',"CustomKeyStoreId":"{store_id}","CloudHsmClusterId":"{cluster_id}"'
        key_id, material, material_id = next(self.new_keys)
        now = time.time()
        arn = f"arn:aws:kms:{region}:{account}:key/{key_id}"
        self.keys_made[key_id] = (arn, material, now)
        self.log.append((operation, account, region, params, now))
        if store_id is None:
            tail = f',"CurrentKeyMaterialId":"{material_id}"'
        return _reply(
            f'{{"KeyMetadata":{{"AWSAccountId":"{account}","KeyId":"{key_id}","Arn":"{arn}",'
            f'"CreationDate":{now:.3f},"KeyUsage":"ENCRYPT_DECRYPT","Origin":"{origin}",'
            f'"KeyManager":"CUSTOMER","CustomerMasterKeySpec":"SYMMETRIC_DEFAULT",'
            f'"KeySpec":"SYMMETRIC_DEFAULT","EncryptionAlgorithms":["SYMMETRIC_DEFAULT"],'
            f'"MultiRegion":false{tail},"Enabled":true,"Description":"","KeyState":"Enabled"}}}}'
        )


class _Answering:
    """Stands in for kmsmock's pipeline at the transport: hands each request to ``answer``."""

    default_account_id = "123456789012"

    def __init__(self, answer: Answer) -> None:
        self._answer = answer

    def answer(self, request: Request) -> Response:
        operation = request.operation or request.headers["X-Amz-Target"].decode()[13:]
        account = request.account_id or self.default_account_id
        status, headers, body = self._answer(
            None, operation, request.body, account, request.region or REGION
        )
        return Response(status, headers, body)


def _answered_by(answer: Answer, call: Callable[[], Any]) -> Callable[[], Any]:
    """``call``, with kmsmock's transport handing the request to ``answer``."""
    answering = _Answering(answer)

    def run() -> Any:
        kept = botocore_transport.answerer
        botocore_transport.answerer = answering
        try:
            return call()
        finally:
            botocore_transport.answerer = kept

    return run


def _variants(
    kms: Any, call: Callable[[Any], Any], answer: Answer, answer_without_aes: Answer | None
) -> dict[str, Callable[[], Any]]:
    """The floor and each variant of ``call``, warmed up."""
    floor = Floor()
    answers = capture(kms, call)
    floor.can(answers)
    ready = answers[0]

    def canned(*_: Any) -> tuple[int, dict[str, str], bytes]:
        return ready

    def mocked() -> Any:
        return call(kms)

    variants = {
        "floor": lambda: call(floor.client),
        "boundary": _answered_by(canned, mocked),
        "least work": _answered_by(answer, mocked),
        "kmsmock": mocked,
    }
    if answer_without_aes is not None:
        variants["least work, no AES"] = _answered_by(answer_without_aes, mocked)
    for variant in variants.values():  # warm every path
        for _ in range(50):
            variant()
    return variants


VARIANTS = ("boundary", "least work, no AES", "least work", "kmsmock")


def measure(rounds: int, batch: int) -> dict[str, dict[str, float]]:
    """Each operation's variants, as the median over rounds of their ratio to the floor."""
    with mock_kms_keystores():
        kms = boto3.client("kms", region_name=REGION)
        key_id = kms.create_key()["KeyMetadata"]["KeyId"]
        blob = kms.encrypt(KeyId=key_id, Plaintext=b"benchmark data")["CiphertextBlob"]
        simulation = activation.current()
        assert simulation is not None
        key = next(
            scope.keys[key_id] for scope in simulation.kms.scopes.values() if key_id in scope.keys
        )
        least = LeastWork(key_id, key.arn, key.material, key.material_id)
        bare = least.without_aes()
        store_id = kms.create_custom_key_store(
            CustomKeyStoreName="lower-bound",
            CloudHsmClusterId=CLUSTER,
            TrustAnchorCertificate="certificate",
            KeyStorePassword="kmsPassword",
        )["CustomKeyStoreId"]
        kms.connect_custom_key_store(CustomKeyStoreId=store_id)
        kms.describe_custom_key_stores()  # the connection completes
        least.add_store(store_id, CLUSTER)
        calls: dict[str, tuple[Callable[[Any], Any], Answer, Answer | None]] = {
            "Encrypt": (
                lambda c: c.encrypt(KeyId=key_id, Plaintext=b"benchmark data"),
                least.encrypt,
                bare.encrypt,
            ),
            "Decrypt": (lambda c: c.decrypt(CiphertextBlob=blob), least.decrypt, bare.decrypt),
            "GenerateDataKey": (
                lambda c: c.generate_data_key(KeyId=key_id, KeySpec="AES_256"),
                least.generate_data_key,
                bare.generate_data_key,
            ),
            "CreateKey (standard)": (lambda c: c.create_key(), least.create_key, None),
            "CreateKey (CloudHSM key store)": (
                lambda c: c.create_key(CustomKeyStoreId=store_id, Origin="AWS_CLOUDHSM"),
                least.create_key,
                None,
            ),
        }
        timed = {
            name: _variants(kms, call, answer, answer_without_aes)
            for name, (call, answer, answer_without_aes) in calls.items()
        }
        samples: dict[str, dict[str, list[float]]] = {
            name: {variant: [] for variant in variants} for name, variants in timed.items()
        }
        for round_number in range(rounds):
            for name, variants in timed.items():
                order = list(variants.items())
                for variant, run in order if round_number % 2 else reversed(order):
                    samples[name][variant].append(timed_batch(run, batch))
    return {
        name: {
            variant: statistics.median(
                mine / floor for mine, floor in zip(times, by_variant["floor"], strict=True)
            )
            for variant, times in by_variant.items()
            if variant != "floor"
        }
        for name, by_variant in samples.items()
    }


def main() -> int:
    rounds, batch = 21, 200
    print(
        f"The least work at botocore's before-send boundary: ratios to the floor "
        f"(target ≤ 1.10), {rounds} interleaved rounds"
    )
    print(f"{'operation':32}" + "".join(f"{variant:>20}" for variant in VARIANTS))
    for name, ratios in measure(rounds, batch).items():
        cells = [f"{ratios[v]:20.3f}" if v in ratios else f"{'n/a':>20}" for v in VARIANTS]
        print(f"{name:32}" + "".join(cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
