"""``kmsmock serve --state FILE``: state survives restarts and crashes; a bad file is refused."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest
from kms_helpers import PASSWORD, own_aliases
from material_helpers import import_material
from test_server import client, control, create_cloudhsm, state

from kmsmock.server import KmsServer
from kmsmock.server.persistence import FORMAT, StateFileError

OTHER_CLUSTER = "cluster-234567abcdeg"
BROKEN_CLUSTER = "cluster-234567abcdeh"


def test_a_restarted_server_has_every_store_key_arrangement_and_the_clock(tmp_path: Path) -> None:
    path = tmp_path / "kms.json"
    with KmsServer(state_file=path, connect_delay=60) as server:
        kms = client(server)
        store_id = create_cloudhsm(kms)
        kms.connect_custom_key_store(CustomKeyStoreId=store_id)
        control(server, "POST", "/clock/advance", {"seconds": 61})
        key = kms.create_key(CustomKeyStoreId=store_id, Origin="AWS_CLOUDHSM")["KeyMetadata"]
        kms.create_alias(AliasName="alias/app", TargetKeyId=key["KeyId"])
        blob = kms.encrypt(KeyId="alias/app", Plaintext=b"kept")["CiphertextBlob"]
        second = create_cloudhsm(kms, name="second", cluster=OTHER_CLUSTER)
        kms.connect_custom_key_store(CustomKeyStoreId=second)  # due in 60 s of mock time
        control(server, "POST", "/clusters", {"cluster_id": BROKEN_CLUSTER, "reachable": False})
        control(
            server,
            "POST",
            "/errors",
            {"operation": "ListAliases", "error_code": "KMSInternalException", "times": 2},
        )
        with pytest.raises(kms.exceptions.KMSInternalException):
            kms.list_aliases()
        clock = control(server, "GET", "/clock")[1]["now"]
    with KmsServer(state_file=path, connect_delay=60) as server:
        kms = client(server)
        assert control(server, "GET", "/clock")[1]["now"] >= clock
        assert state(kms, store_id) == ("CONNECTED", None)
        assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"kept"
        assert kms.describe_key(KeyId="alias/app")["KeyMetadata"] == key
        assert state(kms, second)[0] == "CONNECTING"
        control(server, "POST", "/clock/advance", {"seconds": 60})
        assert state(kms, second)[0] == "CONNECTED"
        cluster = control(server, "POST", "/clusters", {"cluster_id": BROKEN_CLUSTER})[1]
        assert cluster["reachable"] is False
        with pytest.raises(kms.exceptions.KMSInternalException):
            kms.list_aliases()  # the injected error had one more time to go
        assert [alias["AliasName"] for alias in own_aliases(kms)] == ["alias/app"]


def test_the_state_file_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "kms.json"
    with KmsServer(state_file=path) as server:
        create_cloudhsm(client(server))
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert PASSWORD in path.read_text()  # why: it holds the store's password


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("{ not json", "cannot be read as a kmsmock state file"),
        ('{"format": "kmsmock-state/99"}', "'kmsmock-state/99'"),
        ("[1, 2]", "is not a state file this kmsmock can read"),
        (json.dumps({"format": FORMAT, "scopes": "x"}), "is damaged and cannot be loaded"),
    ],
)
def test_a_corrupt_or_foreign_file_stops_the_server_with_a_clear_error_and_is_kept(
    tmp_path: Path, content: str, says: str
) -> None:
    path = tmp_path / "kms.json"
    path.write_text(content)
    with pytest.raises(StateFileError, match=r"left as it is|cannot be read") as refused:
        KmsServer(state_file=path).start()
    assert says in str(refused.value)
    finished = subprocess.run(
        [sys.executable, "-m", "kmsmock", "serve", "--port", "0", "--state", str(path)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert finished.returncode == 1
    assert says in finished.stderr
    assert "Traceback" not in finished.stderr + finished.stdout
    assert path.read_text() == content  # never overwritten


def test_a_state_file_in_a_missing_directory_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StateFileError, match="cannot be written"):
        KmsServer(state_file=tmp_path / "missing" / "kms.json").start()


def _serve(path: Path) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "kmsmock", "serve", "--port", "0", "--state", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    first = process.stdout.readline()
    assert "http://" in first, first + (process.stderr.read() if process.stderr else "")
    return process, "http://" + first.split("http://", 1)[1].split()[0]


def test_every_acknowledged_write_survives_kill_9(tmp_path: Path) -> None:
    path = tmp_path / "kms.json"
    process, url = _serve(path)
    acknowledged: list[str] = []
    stop = threading.Event()

    def write() -> None:
        kms = client(SimpleNamespace(url=url))
        while not stop.is_set():
            try:
                acknowledged.append(kms.create_key(Description="x")["KeyMetadata"]["KeyId"])
            except Exception:  # the server was killed mid-request: not acknowledged
                return

    writers = [threading.Thread(target=write) for _ in range(4)]
    for writer in writers:
        writer.start()
    try:
        while len(acknowledged) < 60:
            threading.Event().wait(0.01)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        stop.set()
        for writer in writers:
            writer.join(timeout=30)
        for pipe in (process.stdout, process.stderr):
            if pipe is not None:
                pipe.close()
    assert json.loads(path.read_text())["format"] == FORMAT  # whole, not torn
    with KmsServer(state_file=path) as server:
        kms = client(server)
        kept = {
            key["KeyId"]
            for page in kms.get_paginator("list_keys").paginate()
            for key in page["Keys"]
        }
    assert set(acknowledged) <= kept
    assert len(kept) - len(acknowledged) <= 4  # at most one unacknowledged write per writer


def test_sigterm_stops_a_server_cleanly_and_its_state_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "kms.json"
    process, url = _serve(path)
    try:
        store_id = create_cloudhsm(client(SimpleNamespace(url=url)))
    finally:
        process.send_signal(signal.SIGTERM)
        _, errors = process.communicate(timeout=10)
    assert process.returncode == 0
    assert "stopped" in errors and "Traceback" not in errors
    with KmsServer(state_file=path) as server:
        assert state(client(server), store_id) == ("DISCONNECTED", None)


def test_a_restarted_server_keeps_multi_region_keys_related(tmp_path: Path) -> None:
    path = tmp_path / "kms.json"
    with KmsServer(state_file=path) as server:
        east, west = client(server), client(server, region="us-west-2")
        key_id = east.create_key(MultiRegion=True)["KeyMetadata"]["KeyId"]
        east.replicate_key(KeyId=key_id, ReplicaRegion="us-west-2")
        blob = east.encrypt(KeyId=key_id, Plaintext=b"kept")["CiphertextBlob"]
        east.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
        before = {
            name: kms.describe_key(KeyId=key_id)["KeyMetadata"]
            for name, kms in (("east", east), ("west", west))
        }
    with KmsServer(state_file=path) as server:
        east, west = client(server), client(server, region="us-west-2")
        for name, kms in (("east", east), ("west", west)):
            assert kms.describe_key(KeyId=key_id)["KeyMetadata"] == before[name]
        assert west.decrypt(CiphertextBlob=blob)["Plaintext"] == b"kept"
        # Still one set: the replica's deletion starts the primary's waiting period.
        west.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
        control(server, "POST", "/clock/advance", {"seconds": 7 * 86400 + 1})
        assert east.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "PendingDeletion"


def test_a_restarted_server_keeps_what_each_related_key_imported(tmp_path: Path) -> None:
    path = tmp_path / "kms.json"
    first, second = os.urandom(32), os.urandom(32)
    with KmsServer(state_file=path) as server:
        east, west = client(server), client(server, region="us-west-2")
        key_id = east.create_key(MultiRegion=True, Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
        import_material(east, key_id, first)
        east.replicate_key(KeyId=key_id, ReplicaRegion="us-west-2")
        import_material(west, key_id, first)
        blob = west.encrypt(KeyId=key_id, Plaintext=b"kept")["CiphertextBlob"]
        second_id = import_material(east, key_id, second, ImportType="NEW_KEY_MATERIAL")[
            "KeyMaterialId"
        ]
    with KmsServer(state_file=path) as server:
        east, west = client(server), client(server, region="us-west-2")
        rotations = west.list_key_rotations(KeyId=key_id, IncludeKeyMaterial="ALL_KEY_MATERIAL")
        pending = rotations["Rotations"][1]
        assert (pending["KeyMaterialId"], pending["ImportState"]) == (second_id, "PENDING_IMPORT")
        assert pending["KeyMaterialState"] == "PENDING_MULTI_REGION_IMPORT_AND_ROTATION"
        with pytest.raises(east.exceptions.KMSInvalidStateException, match="us-west-2"):
            east.rotate_key_on_demand(KeyId=key_id)
        import_material(west, key_id, second)
        east.rotate_key_on_demand(KeyId=key_id)
        assert west.describe_key(KeyId=key_id)["KeyMetadata"]["CurrentKeyMaterialId"] == second_id
        assert east.decrypt(CiphertextBlob=blob)["Plaintext"] == b"kept"
