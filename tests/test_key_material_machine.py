"""Model-based test: random lives of a key with imported key material, against a reference.

A hypothesis RuleBasedStateMachine drives one ``Origin=EXTERNAL`` key through a
real boto3 client with random sequences of: import existing or new material
(never expiring, or expiring in an hour or two days), import material the key
never had, delete the current, a non-current or the pending material, rotate
on demand, disable and enable the key, schedule and cancel its deletion, move
the mock clock, encrypt (the blob is checked with the reference's current
material itself) and decrypt every blob made so far. After every step the
outcome (success, or which error) must be the reference's, and so must the
key state (DescribeKey) and the key's materials, in order, with their
KeyMaterialState and ImportState (ListKeyRotations with ALL_KEY_MATERIAL).

The reference is written from AWS's reference text, not from kmsmock's tables:
ImportKeyMaterial and its ImportType (NEW_KEY_MATERIAL before the first
import, EXISTING_KEY_MATERIAL after; new material waits in PENDING_ROTATION),
DeleteImportedKeyMaterial ("Deletion or expiration of any permanently
associated key material changes the key state to Pending import"; material
pending rotation "is not permanently associated": it may be deleted and
replaced), RotateKeyOnDemand (the pending material becomes current), the key
states page (PendingImport refuses cryptography, EnableKey and DisableKey;
PendingDeletion wins over it) and kmsmock's documented choices (docs/keys.md:
an import that makes a PendingImport key whole leaves it Enabled; only one
material pending rotation; RotateKeyOnDemand without one is
KMSInvalidStateException).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from botocore.exceptions import ClientError
from hypothesis import strategies as st
from hypothesis.stateful import (
    initialize,
    invariant,
    rule,
)
from machine_helpers import FrozenClockMachine, run_chunk
from material_helpers import blob_material_id, open_locally, wrap

SEQUENCES = 300
CHUNKS = 2
STEPS_PER_SEQUENCE = 12
HOUR, DAY = 3600, 86_400
INVALID_STATE, DISABLED = "KMSInvalidStateException", "DisabledException"
INCORRECT = "IncorrectKeyMaterialException"


@dataclass
class RefMaterial:
    """One material as the reference sees it."""

    secret: bytes
    state: str  # CURRENT, NON_CURRENT or PENDING_ROTATION
    imported: bool = True
    valid_to: float | None = None
    id: str = ""


@dataclass
class Reference:
    """The key as the reference text says it must be."""

    now: float = 0.0
    materials: list[RefMaterial] = field(default_factory=list)
    enabled: bool = True
    pending_deletion: bool = False

    def state(self) -> str:
        if self.pending_deletion:
            return "PendingDeletion"
        permanent = [m for m in self.materials if m.state != "PENDING_ROTATION"]
        if not permanent or not all(m.imported for m in permanent):
            return "PendingImport"
        return "Enabled" if self.enabled else "Disabled"

    def find(self, secret: bytes) -> RefMaterial | None:
        return next((m for m in self.materials if m.secret == secret), None)

    def pending(self) -> RefMaterial | None:
        return next((m for m in self.materials if m.state == "PENDING_ROTATION"), None)

    def current(self) -> RefMaterial | None:
        return next((m for m in self.materials if m.state == "CURRENT"), None)

    def delete(self, material: RefMaterial) -> None:
        if material.state == "PENDING_ROTATION":
            self.materials.remove(material)
        else:
            material.imported, material.valid_to = False, None

    def advance(self, seconds: float) -> None:
        self.now += seconds
        for material in list(self.materials):
            if material.valid_to is not None and material.valid_to <= self.now:
                self.delete(material)

    def crypto_error(self) -> str | None:
        state = self.state()
        return None if state == "Enabled" else DISABLED if state == "Disabled" else INVALID_STATE


def outcome_of(call: Callable[..., Any], **params: Any) -> tuple[str | None, dict[str, Any]]:
    try:
        return None, call(**params)
    except ClientError as error:
        return str(error.response["Error"]["Code"]), {}


class ImportedKeyMachine(FrozenClockMachine):
    """Random steps on one key with imported key material, checked against :class:`Reference`."""

    def __init__(self) -> None:
        super().__init__()
        self.ref = Reference()
        self.key_id = ""
        self.token: dict[str, Any] = {}
        self.blobs: list[tuple[bytes, bytes]] = []  # (blob, plaintext)

    @initialize(first=st.booleans())
    def start(self, first: bool) -> None:
        self.begin()
        self.key_id = self.kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
        if first:  # many lives start with material
            self.check_import_new(0)

    # -- helpers ---------------------------------------------------------------------

    def wrapped(self, secret: bytes) -> dict[str, Any]:
        """An import request's token and wrapped material (a fresh token when the last is old)."""
        assert self.ks is not None
        valid_to = self.token.get("ParametersValidTo")
        if valid_to is None or valid_to.timestamp() <= self.ks.now() + HOUR:
            self.token = self.kms.get_parameters_for_import(
                KeyId=self.key_id, WrappingAlgorithm="RSAES_OAEP_SHA_1", WrappingKeySpec="RSA_2048"
            )
        return {
            "ImportToken": self.token["ImportToken"],
            "EncryptedKeyMaterial": wrap(self.token["PublicKey"], secret, "RSAES_OAEP_SHA_1"),
        }

    def expiry(self, choice: int) -> tuple[dict[str, Any], float | None]:
        if choice == 0:
            return {"ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"}, None
        seconds = HOUR if choice == 1 else 2 * DAY
        valid_to = self.start_time + self.ref.now + seconds
        return {"ValidTo": valid_to}, self.ref.now + seconds

    def call_import(self, secret: bytes, choice: int, **options: Any) -> str | None:
        """ImportKeyMaterial; the error code, or None (the reference updated on success)."""
        if self.ref.pending_deletion:  # no token for a key pending deletion
            code, _ = outcome_of(
                self.kms.import_key_material,
                KeyId=self.key_id,
                ImportToken=b"any",
                EncryptedKeyMaterial=b"any",
                ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE",
            )
            assert code == INVALID_STATE
            return code
        request = self.wrapped(secret)
        extra, ref_valid_to = self.expiry(choice)
        code, answer = outcome_of(
            self.kms.import_key_material, KeyId=self.key_id, **request, **extra, **options
        )
        return code if code is not None else self.imported(secret, answer, ref_valid_to)

    def imported(self, secret: bytes, answer: dict[str, Any], valid_to: float | None) -> None:
        ref = self.ref
        was_whole = ref.state() not in ("PendingImport",)
        material = ref.find(secret)
        if material is None:
            state = "CURRENT" if not ref.materials else "PENDING_ROTATION"
            material = RefMaterial(secret, state, id=answer["KeyMaterialId"])
            ref.materials.append(material)
        assert answer["KeyMaterialId"] == material.id
        material.imported, material.valid_to = True, valid_to
        if not was_whole and ref.state() != "PendingImport":
            ref.enabled = True
        return None

    # -- rules -------------------------------------------------------------------------

    @rule(choice=st.integers(0, 2))
    def import_new(self, choice: int) -> None:
        self.check_import_new(choice)

    def check_import_new(self, choice: int) -> None:
        ref, secret = self.ref, os.urandom(32)
        expected = None
        if ref.pending_deletion or ref.pending() is not None:
            expected = INVALID_STATE
        code = self.call_import(secret, choice, ImportType="NEW_KEY_MATERIAL")
        assert code == expected
        self.step()

    @rule(data=st.data(), choice=st.integers(0, 2))
    def reimport(self, data: st.DataObject, choice: int) -> None:
        if not self.ref.materials:
            return
        material = data.draw(st.sampled_from(self.ref.materials), label="material")
        code = self.call_import(material.secret, choice)
        assert code == (INVALID_STATE if self.ref.pending_deletion else None)
        self.step()

    @rule()
    def import_a_stranger(self) -> None:
        ref = self.ref
        first = not ref.materials
        code = self.call_import(os.urandom(32), 0)
        if ref.pending_deletion:
            assert code == INVALID_STATE
        elif first:
            assert code is None  # the first import: NEW_KEY_MATERIAL by default
        else:
            assert code == INCORRECT
        self.step()

    @rule(which=st.sampled_from(["current", "pending", "non-current", "unnamed"]))
    def delete(self, which: str) -> None:
        ref = self.ref
        if which == "unnamed":
            target = ref.current()
            params: dict[str, Any] = {}
        else:
            state = {"current": "CURRENT", "pending": "PENDING_ROTATION"}.get(which, "NON_CURRENT")
            target = next((m for m in ref.materials if m.state == state), None)
            if target is None:
                return
            params = {"KeyMaterialId": target.id}
        code, answer = outcome_of(
            self.kms.delete_imported_key_material, KeyId=self.key_id, **params
        )
        assert code is None
        if target is not None:
            assert answer["KeyMaterialId"] == target.id
            ref.delete(target)
        self.step()

    @rule()
    def rotate(self) -> None:
        ref = self.ref
        expected = ref.crypto_error() or (INVALID_STATE if ref.pending() is None else None)
        code, _ = outcome_of(self.kms.rotate_key_on_demand, KeyId=self.key_id)
        assert code == expected
        if code is None:
            current, pending = ref.current(), ref.pending()
            assert current is not None and pending is not None
            current.state, pending.state = "NON_CURRENT", "CURRENT"
        self.step()

    @rule(enable=st.booleans())
    def enable_or_disable(self, enable: bool) -> None:
        ref = self.ref
        refused = ref.state() in ("PendingImport", "PendingDeletion")
        call = self.kms.enable_key if enable else self.kms.disable_key
        code, _ = outcome_of(call, KeyId=self.key_id)
        assert code == (INVALID_STATE if refused else None)
        if code is None:
            ref.enabled = enable
        self.step()

    @rule()
    def schedule_or_cancel_deletion(self) -> None:
        ref = self.ref
        if ref.pending_deletion:
            self.kms.cancel_key_deletion(KeyId=self.key_id)
            ref.pending_deletion, ref.enabled = False, False
        else:
            self.kms.schedule_key_deletion(KeyId=self.key_id, PendingWindowInDays=30)
            ref.pending_deletion = True
        self.step()

    @rule(seconds=st.sampled_from([60, HOUR - 1, HOUR, 2 * DAY]))
    def advance(self, seconds: int) -> None:
        assert self.ks is not None
        if self.ref.now + seconds >= 29 * DAY:
            return  # the key would be deleted for good: not this test's subject
        self.ks.advance(seconds)
        self.ref.advance(seconds)
        self.step()

    @rule()
    def encrypt(self) -> None:
        ref = self.ref
        plaintext = os.urandom(8)
        code, answer = outcome_of(self.kms.encrypt, KeyId=self.key_id, Plaintext=plaintext)
        assert code == ref.crypto_error()
        if code is None:
            current = ref.current()
            assert current is not None
            blob = answer["CiphertextBlob"]
            assert blob_material_id(blob) == current.id
            assert open_locally(blob, current.secret) == plaintext
            self.blobs.append((blob, plaintext))
        self.step()

    @rule()
    def decrypt_every_blob(self) -> None:
        for blob, plaintext in self.blobs:
            code, answer = outcome_of(self.kms.decrypt, CiphertextBlob=blob)
            assert code == self.ref.crypto_error()
            if code is None:
                assert answer["Plaintext"] == plaintext
        self.step()

    def step(self) -> None:
        self.counts["steps"] += 1

    # -- after every step ---------------------------------------------------------------

    @invariant()
    def kms_shows_what_the_reference_predicts(self) -> None:
        if self.ks is None:
            return
        ref = self.ref
        shown = self.kms.describe_key(KeyId=self.key_id)["KeyMetadata"]
        assert shown["KeyState"] == ref.state()
        current = ref.current()
        assert shown.get("CurrentKeyMaterialId") == (None if current is None else current.id)
        listed = self.kms.list_key_rotations(
            KeyId=self.key_id, IncludeKeyMaterial="ALL_KEY_MATERIAL"
        )
        assert [
            (m["KeyMaterialId"], m["KeyMaterialState"], m["ImportState"])
            for m in listed["Rotations"]
        ] == [
            (m.id, m.state, "IMPORTED" if m.imported else "PENDING_IMPORT") for m in ref.materials
        ]


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_random_lives_of_an_imported_key_match_the_reference(
    chunk: int, report_count: Callable[[str, int], None]
) -> None:
    run_chunk(
        ImportedKeyMachine,
        chunk,
        sequences=SEQUENCES // CHUNKS,
        steps=STEPS_PER_SEQUENCE,
        report=report_count,
        label="imported key machine",
    )
