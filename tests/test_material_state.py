"""``kmsmock serve --state FILE`` keeps key materials, import parameters, rotation and last use.

A restarted server holds the same state (its dump is the file it loaded),
decrypts what the old one encrypted, accepts an import token the old one
issued, and still expires material and rotates keys when its clock moves on.
A state file written before keys had several materials loads too.
"""

from __future__ import annotations

import base64
import json
import os
import struct
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from material_helpers import DAY, import_material, open_locally, parameters, wrap
from test_server import client, control

import kmsmock.activation
from kmsmock.server import KmsServer
from kmsmock.server.persistence import dump, load


def _json(value: Any) -> Any:
    return json.loads(json.dumps(value, sort_keys=True))


def _listing(kms: Any, key_id: str) -> list[dict[str, Any]]:
    answer = kms.list_key_rotations(KeyId=key_id, IncludeKeyMaterial="ALL_KEY_MATERIAL")
    return list(answer["Rotations"])


def test_materials_tokens_rotation_and_usage_survive_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "kms.json"
    first, second = os.urandom(32), os.urandom(32)
    with KmsServer(state_file=path) as server:
        kms = client(server)
        now = control(server, "GET", "/clock")[1]["now"]
        imported = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
        import_material(kms, imported, first, ValidTo=now + 2 * 3600)
        old_imported = kms.encrypt(KeyId=imported, Plaintext=b"imported")["CiphertextBlob"]
        kept = parameters(kms, imported, "RSA_AES_KEY_WRAP_SHA_256")  # used after the restart
        generated = kms.create_key()["KeyMetadata"]["KeyId"]
        old_generated = kms.encrypt(KeyId=generated, Plaintext=b"generated")["CiphertextBlob"]
        kms.rotate_key_on_demand(KeyId=generated)
        kms.enable_key_rotation(KeyId=generated, RotationPeriodInDays=90)
        before = {
            key_id: (
                kms.describe_key(KeyId=key_id)["KeyMetadata"],
                _listing(kms, key_id),
                kms.get_key_last_usage(KeyId=key_id)["KeyLastUsage"],
            )
            for key_id in (imported, generated)
        }
        status = kms.get_key_rotation_status(KeyId=generated)
    with KmsServer(state_file=path) as server:
        kms = client(server)
        for key_id, (shown, listed, used) in before.items():
            assert kms.describe_key(KeyId=key_id)["KeyMetadata"] == shown
            assert _listing(kms, key_id) == listed
            assert kms.get_key_last_usage(KeyId=key_id)["KeyLastUsage"] == used
        assert kms.get_key_rotation_status(KeyId=generated) | {"ResponseMetadata": None} == (
            status | {"ResponseMetadata": None}
        )
        assert kms.decrypt(CiphertextBlob=old_imported)["Plaintext"] == b"imported"
        assert kms.decrypt(CiphertextBlob=old_generated)["Plaintext"] == b"generated"
        kms.import_key_material(
            KeyId=imported,
            ImportToken=kept["ImportToken"],
            EncryptedKeyMaterial=wrap(kept["PublicKey"], second, "RSA_AES_KEY_WRAP_SHA_256"),
            ImportType="NEW_KEY_MATERIAL",
            ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE",
        )
        kms.rotate_key_on_demand(KeyId=imported)
        blob = kms.encrypt(KeyId=imported, Plaintext=b"second")["CiphertextBlob"]
        assert open_locally(blob, second) == b"second"
        control(server, "POST", "/clock/advance", {"seconds": 2 * 3600})
        shown = kms.describe_key(KeyId=imported)["KeyMetadata"]
        assert shown["KeyState"] == "PendingImport"  # the first material expired
        control(server, "POST", "/clock/advance", {"seconds": 90 * DAY})
        rotated = kms.list_key_rotations(KeyId=generated)["Rotations"]
        assert [entry["RotationType"] for entry in rotated] == ["ON_DEMAND", "AUTOMATIC"]


def test_the_dump_of_a_loaded_dump_is_the_same(kms: Any, kms_keystores: Any) -> None:
    first, second = os.urandom(32), os.urandom(32)
    imported = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
    import_material(kms, imported, first, ValidTo=kms_keystores.now() + DAY)
    import_material(
        kms, imported, second, ImportType="NEW_KEY_MATERIAL", KeyMaterialDescription="next one"
    )
    parameters(kms, imported)
    kms.encrypt(KeyId=imported, Plaintext=b"x")
    generated = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.rotate_key_on_demand(KeyId=generated)
    kms.enable_key_rotation(KeyId=generated)
    simulation = kmsmock.activation.current()
    assert simulation is not None
    document = _json(dump(simulation))
    kms_keystores.reset()
    load(simulation, document, Path("state.json"))
    assert _json(dump(simulation)) == document
    assert (
        kms.list_key_rotations(KeyId=imported, IncludeKeyMaterial="ALL_KEY_MATERIAL")["Rotations"][
            1
        ]["KeyMaterialDescription"]
        == "next one"
    )


_HEADER = struct.Struct(">4sBBH")


def test_a_state_file_from_before_key_materials_loads(tmp_path: Path) -> None:
    path = tmp_path / "kms.json"
    with KmsServer(state_file=path) as server:
        kms = client(server)
        key = kms.create_key()["KeyMetadata"]
        kms.enable_key_rotation(KeyId=key["KeyId"], RotationPeriodInDays=90)
    document = json.loads(path.read_text())
    [entry] = document["scopes"][0]["keys"]
    material = os.urandom(32)
    enabled_at = entry["next_rotation"] - 90 * DAY
    for name in ("materials", "on_demand_rotations", "import_parameters", "next_rotation"):
        del entry[name]
    del entry["last_used"]
    entry |= {
        "material": base64.b64encode(material).decode(),
        "material_id": "cd" * 32,
        "rotation_enabled_at": enabled_at,
    }
    path.write_text(json.dumps(document))
    # A version 2 blob: no key material id in the header.
    arn, nonce = key["Arn"].encode(), os.urandom(12)
    blob = _HEADER.pack(b"KMSM", 2, 1, len(arn)) + arn + nonce
    blob += AESGCM(material).encrypt(nonce, b"from an older kmsmock", None)
    with KmsServer(state_file=path) as server:
        kms = client(server)
        opened = kms.decrypt(CiphertextBlob=blob)
        assert opened["Plaintext"] == b"from an older kmsmock"
        assert opened["KeyMaterialId"] == "cd" * 32
        status = kms.get_key_rotation_status(KeyId=key["KeyId"])
        assert status["NextRotationDate"].timestamp() == round(enabled_at + 90 * DAY, 3)
