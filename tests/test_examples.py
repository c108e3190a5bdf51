"""The programs in examples/ do what they say, against kmsmock."""

from __future__ import annotations

import base64
import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from kms_helpers import CLUSTER_ID, create_cloudhsm, create_xks

sys.path.insert(0, str(Path(__file__).parent.parent / "examples"))

import keystore_watchdog
import rotate_xks_credential
import signed_envelope
import teardown_key_store


def no_sleep(kms_keystores: Any) -> Any:
    """A sleep that moves the mock clock instead of waiting."""
    return kms_keystores.advance


# -- the watchdog -------------------------------------------------------------------------


@pytest.mark.kms_keystores(connect_delay=600, disconnect_delay=60)
def test_the_watchdog_reconnects_a_store_that_failed_for_a_passing_reason(
    kms: Any, kms_keystores: Any
) -> None:
    store_id = create_cloudhsm(kms)
    kms_keystores.fail_next_connect(store_id, "NETWORK_ERRORS")
    kms.connect_custom_key_store(CustomKeyStoreId=store_id)
    kms_keystores.advance(600)
    healthy = create_cloudhsm(kms, name="healthy", CloudHsmClusterId="cluster-234567abcdeg")
    kms.connect_custom_key_store(CustomKeyStoreId=healthy)
    kms_keystores.advance(600)

    repairs = keystore_watchdog.repair_failed_stores(kms, sleep=no_sleep(kms_keystores))

    assert [(r.store_id, r.error_code, r.outcome) for r in repairs] == [
        (store_id, "NETWORK_ERRORS", "CONNECTED")
    ]
    operations = [call.operation for call in kms_keystores.calls]
    disconnect = operations.index("DisconnectCustomKeyStore")
    assert operations.index("ConnectCustomKeyStore", disconnect) > disconnect  # in that order


def test_the_watchdog_leaves_a_store_that_needs_a_person(kms: Any, kms_keystores: Any) -> None:
    cluster = kms_keystores.cloudhsm_cluster(CLUSTER_ID)
    store_id = create_cloudhsm(
        kms,
        TrustAnchorCertificate=cluster.trust_anchor_certificate,
        KeyStorePassword=cluster.kmsuser_password.reveal(),
    )
    cluster.kmsuser_locked_out = True
    kms.connect_custom_key_store(CustomKeyStoreId=store_id)

    [repair] = keystore_watchdog.repair_failed_stores(kms, sleep=no_sleep(kms_keystores))

    assert (repair.error_code, repair.outcome) == (
        "USER_LOCKED_OUT",
        "skipped: USER_LOCKED_OUT needs a person",
    )
    assert "DisconnectCustomKeyStore" not in [call.operation for call in kms_keystores.calls]


def test_the_watchdog_reports_a_store_that_fails_again(kms: Any, kms_keystores: Any) -> None:
    cluster = kms_keystores.cloudhsm_cluster(CLUSTER_ID)
    store_id = create_cloudhsm(
        kms,
        TrustAnchorCertificate=cluster.trust_anchor_certificate,
        KeyStorePassword=cluster.kmsuser_password.reveal(),
    )
    cluster.reachable = False  # still broken when the watchdog reconnects
    kms.connect_custom_key_store(CustomKeyStoreId=store_id)

    [repair] = keystore_watchdog.repair_failed_stores(kms, sleep=no_sleep(kms_keystores))

    assert repair.outcome == "FAILED (NETWORK_ERRORS)"


# -- teardown -----------------------------------------------------------------------------


def test_teardown_deletes_the_store_after_its_keys(kms: Any, kms_keystores: Any) -> None:
    store_id = create_cloudhsm(kms)
    kms.connect_custom_key_store(CustomKeyStoreId=store_id)
    in_store = [
        kms.create_key(CustomKeyStoreId=store_id, Origin="AWS_CLOUDHSM")["KeyMetadata"]["KeyId"]
        for _ in range(3)
    ]
    elsewhere = kms.create_key()["KeyMetadata"]["KeyId"]

    assert sorted(teardown_key_store.schedule_teardown(kms, store_id)) == sorted(in_store)
    waiting = teardown_key_store.finish_teardown(kms, store_id)
    assert waiting is not None and waiting.startswith("3 key(s) remain")
    kms_keystores.advance(7 * 86400)
    assert teardown_key_store.finish_teardown(kms, store_id) is None

    assert kms.describe_custom_key_stores()["CustomKeyStores"] == []
    assert [key["KeyId"] for key in kms.list_keys()["Keys"]] == [elsewhere]


def test_teardown_can_be_run_twice(kms: Any, kms_keystores: Any) -> None:
    store_id = create_cloudhsm(kms)
    kms.connect_custom_key_store(CustomKeyStoreId=store_id)
    kms.create_key(CustomKeyStoreId=store_id, Origin="AWS_CLOUDHSM")
    first = teardown_key_store.schedule_teardown(kms, store_id)
    assert teardown_key_store.schedule_teardown(kms, store_id) == first  # nothing fails


# -- credential rotation ------------------------------------------------------------------


def _xks_store_with_key(kms: Any, kms_keystores: Any) -> tuple[str, str, Any]:
    proxy = kms_keystores.xks_proxy("https://xks.example.com", "/kms/xks/v1")
    proxy.add_key("probe")
    store_id = create_xks(
        kms,
        XksProxyAuthenticationCredential={
            "AccessKeyId": proxy.access_key_id,
            "RawSecretAccessKey": proxy.secret_access_key.reveal(),
        },
    )
    kms.connect_custom_key_store(CustomKeyStoreId=store_id)
    key_id = kms.create_key(
        CustomKeyStoreId=store_id, Origin="EXTERNAL_KEY_STORE", XksKeyId="probe"
    )["KeyMetadata"]["KeyId"]
    return store_id, key_id, proxy


NEW_ID, NEW_SECRET = "NEWACCESSKEYID234567", "n" * 43 + "="


def test_rotation_in_the_right_order_keeps_the_store_working(kms: Any, kms_keystores: Any) -> None:
    store_id, key_id, proxy = _xks_store_with_key(kms, kms_keystores)
    old_id = proxy.access_key_id
    proxy.accept_credential(NEW_ID, NEW_SECRET)  # step 1, on the proxy

    rotate_xks_credential.rotate_credential(kms, store_id, NEW_ID, NEW_SECRET, key_id)

    proxy.revoke_credential(old_id)  # step 4
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"after")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"after"
    [store] = kms.describe_custom_key_stores(CustomKeyStoreId=store_id)["CustomKeyStores"]
    assert store["ConnectionState"] == "CONNECTED"


def test_rotation_before_the_proxy_knows_the_credential_is_refused(
    kms: Any, kms_keystores: Any
) -> None:
    store_id, key_id, _ = _xks_store_with_key(kms, kms_keystores)
    with pytest.raises(kms.exceptions.XksProxyIncorrectAuthenticationCredentialException):
        rotate_xks_credential.rotate_credential(kms, store_id, NEW_ID, NEW_SECRET, key_id)
    [store] = kms.describe_custom_key_stores(CustomKeyStoreId=store_id)["CustomKeyStores"]
    assert store["XksProxyConfiguration"]["AccessKeyId"] != NEW_ID  # nothing changed


def test_rotation_reports_a_proxy_that_then_refuses_kms(kms: Any, kms_keystores: Any) -> None:
    store_id, key_id, proxy = _xks_store_with_key(kms, kms_keystores)
    proxy.accept_credential(NEW_ID, NEW_SECRET)
    proxy.access_denied = True  # the proxy's authorization rules now deny KMS
    with pytest.raises(rotate_xks_credential.RotationFailed, match="the proxy refused KMS"):
        rotate_xks_credential.rotate_credential(kms, store_id, NEW_ID, NEW_SECRET, key_id)


# -- the signed envelope ------------------------------------------------------------------


def _keys(kms: Any) -> tuple[str, str]:
    encryption = kms.create_key()["KeyMetadata"]["KeyId"]
    signing = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")
    return encryption, signing["KeyMetadata"]["KeyId"]


def test_a_signed_envelope_opens_to_the_data(kms: Any, kms_keystores: Any) -> None:
    encryption, signing = _keys(kms)
    envelope = signed_envelope.seal(kms, b"the payroll", encryption, signing)

    assert b"the payroll" not in envelope.ciphertext
    assert signed_envelope.open_envelope(kms, envelope, trusted_signer=signing) == b"the payroll"
    verified = kms.verify(  # KMS itself agrees with the local check
        KeyId=signing,
        Message=envelope.signed_digest(),
        MessageType="DIGEST",
        Signature=envelope.signature,
        SigningAlgorithm="ECDSA_SHA_256",
    )
    assert verified["SignatureValid"] is True


@pytest.mark.parametrize("part", ["encrypted_data_key", "nonce", "ciphertext", "signature"])
def test_a_changed_envelope_is_refused_before_kms_decrypts(
    kms: Any, kms_keystores: Any, part: str
) -> None:
    encryption, signing = _keys(kms)
    envelope = signed_envelope.seal(kms, b"the payroll", encryption, signing)
    changed = bytearray(getattr(envelope, part))
    changed[-1] ^= 1
    tampered = dataclasses.replace(envelope, **{part: bytes(changed)})

    with pytest.raises(signed_envelope.TamperedEnvelope):
        signed_envelope.open_envelope(kms, tampered, trusted_signer=signing)
    assert "Decrypt" not in [call.operation for call in kms_keystores.calls]


def test_an_envelope_signed_by_another_key_is_refused(kms: Any) -> None:
    encryption, signing = _keys(kms)
    _, impostor = _keys(kms)
    envelope = signed_envelope.seal(kms, b"the payroll", encryption, impostor)

    with pytest.raises(signed_envelope.TamperedEnvelope):
        signed_envelope.open_envelope(kms, envelope, trusted_signer=signing)


def test_a_disabled_signing_key_stops_sealing(kms: Any) -> None:
    encryption, signing = _keys(kms)
    kms.disable_key(KeyId=signing)

    with pytest.raises(kms.exceptions.DisabledException):
        signed_envelope.seal(kms, b"the payroll", encryption, signing)


# -- as programs, against kmsmock serve ---------------------------------------------------

EXAMPLES = Path(__file__).parent.parent / "examples"


def _run(
    program: str, server: Any, *arguments: str, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    """Run an example as a user would, with boto3 pointed at the server by its environment."""
    environment = {
        "PATH": os.environ["PATH"],
        "AWS_ENDPOINT_URL_KMS": server.url,
        "AWS_ACCESS_KEY_ID": "AKIAKMSM123456789012",
        "AWS_SECRET_ACCESS_KEY": "anything",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    return subprocess.run(
        [sys.executable, str(EXAMPLES / program), *arguments],
        env=environment,
        capture_output=True,
        text=True,
        input=stdin,
        timeout=120,
    )


def test_the_examples_run_as_programs(kms_server: Any) -> None:
    kms = kms_server_client(kms_server)
    store_id = create_cloudhsm(kms)
    kms_server.handle.fail_next_connect(store_id, "NETWORK_ERRORS")
    kms.connect_custom_key_store(CustomKeyStoreId=store_id)

    watchdog = _run("keystore_watchdog.py", kms_server)
    assert (watchdog.returncode, watchdog.stderr) == (0, "")
    assert f"{store_id} (hsm-store): was NETWORK_ERRORS, now CONNECTED" in watchdog.stdout

    kms.create_key(CustomKeyStoreId=store_id, Origin="AWS_CLOUDHSM")
    first = _run("teardown_key_store.py", kms_server, store_id)
    assert "1 key(s) pending deletion" in first.stdout
    assert _run("teardown_key_store.py", kms_server, store_id, "--finish").returncode == 1
    kms_server.handle.advance(7 * 86400)
    finished = _run("teardown_key_store.py", kms_server, store_id, "--finish")
    assert (finished.returncode, finished.stdout.strip()) == (0, f"deleted {store_id}")

    encryption, signing = _keys(kms)
    sealed = _run("signed_envelope.py", kms_server, encryption, signing, stdin="the payroll")
    assert (sealed.returncode, sealed.stderr) == (0, "")
    fields = json.loads(sealed.stdout)
    envelope = signed_envelope.Envelope(
        **{
            name: value if name == "signing_key_id" else base64.b64decode(value)
            for name, value in fields.items()
        }
    )
    assert signed_envelope.open_envelope(kms, envelope, trusted_signer=signing) == b"the payroll"

    rotation = _run(
        "rotate_xks_credential.py", kms_server, "cks-1234567890abcdef0", NEW_ID, NEW_SECRET, "k"
    )
    assert rotation.returncode != 0  # no such store: boto3's error, not a silent success
    assert "CustomKeyStoreNotFoundException" in rotation.stderr


def kms_server_client(server: Any) -> Any:
    """A boto3 client of the server, as the programs make one."""
    import boto3

    return boto3.client(
        "kms",
        endpoint_url=server.url,
        region_name="us-east-1",
        aws_access_key_id="AKIAKMSM123456789012",
        aws_secret_access_key="anything",
    )
