"""Secrets stay where they belong; nothing leaves the machine; real credentials sign nothing.

Secrets: KeyStorePassword, RawSecretAccessKey and data-key plaintexts go
through a workflow with valid and invalid values, on both transports. None of
them may show up in an answer that AWS gives without them, in the message of
an error, in a repr, in ``ks.calls``, or in what kmsmock logs (logger
"kmsmock", at DEBUG).

Boundary: the suite runs with every lookup and connection that leaves the
loopback refused (tests/conftest.py's audit hook), and a full workflow opens
no socket at all. Real credentials in the environment never sign a request and
are never resolved.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import socket
import urllib.request
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests
from botocore.config import Config
from botocore.exceptions import ClientError
from kms_helpers import TRUST_ANCHOR, XKS_ACCESS_KEY, hsm_params

import kmsmock.activation
from kmsmock import KmsKeystores, mock_kms_keystores

PASSWORD = "Pw-7f3a91c2e8d4"
NEW_PASSWORD = "Pw-b5e0d6a4c1f9"
SHORT_PASSWORD = "Pw6x#z"  # 6 characters: the model's minimum is 7
LONG_PASSWORD = "Pw-" + "9d8c7b6a5f4e3d2c1b0a" * 2  # 43 characters: the maximum is 32
SECRET = "Xk5ecretA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
NEW_SECRET = "Xk5ecretZ9y8X7w6V5u4T3s2R1q0P9o8N7m6L5k4J3i2"
BAD_SECRET = "Xk5ecret-has-bad-characters!!"  # too short, and not [a-zA-Z0-9/+=]
TEXT_SECRETS = (
    PASSWORD,
    NEW_PASSWORD,
    SHORT_PASSWORD,
    LONG_PASSWORD,
    SECRET,
    NEW_SECRET,
    BAD_SECRET,
)
URL = "https://kms.us-east-1.amazonaws.com/"


def forms(secret: str | bytes) -> list[str]:
    """The ways a secret could be spelled in text: as is, base64, hex, and Python's repr."""
    if isinstance(secret, str):
        return [secret, json.dumps(secret)[1:-1]]
    return [base64.b64encode(secret).decode(), secret.hex(), repr(secret)[2:-1]]


def leaks(haystack: Iterable[str], secrets: Iterable[str | bytes]) -> list[str]:
    """The secrets (in any form) found in any text of ``haystack``."""
    texts = list(haystack)
    return [
        form for secret in secrets for form in forms(secret) if any(form in text for text in texts)
    ]


class Recorder:
    """Every answer body a client received, by operation."""

    def __init__(self) -> None:
        self.answers: list[tuple[str, str]] = []

    def __call__(self, http_response: Any, model: Any, **kwargs: Any) -> None:
        self.answers.append((model.name, http_response.content.decode()))

    def bodies(self, *, excluding: tuple[str, ...] = ()) -> list[str]:
        return [body for operation, body in self.answers if operation not in excluding]


def error_text(call: Any, **params: Any) -> str:
    """The error ``call`` answers, as the user sees it."""
    with pytest.raises(ClientError) as caught:
        call(**params)
    return f"{caught.value} {caught.value.response!r}"


def raw(operation: str, params: dict[str, Any]) -> str:
    answer = requests.post(
        URL, headers={"X-Amz-Target": f"TrentService.{operation}"}, json=params, timeout=5
    )
    return answer.text


def everything_kmsmock_shows(ks: KmsKeystores) -> list[str]:
    """The reprs of the handle, the call log and every object the simulated KMS holds."""
    shown = [repr(ks), repr(ks.calls), str(ks.calls)]
    shown += [repr(call.params) for call in ks.calls]
    simulation = kmsmock.activation.current()
    assert simulation is not None
    kms = simulation.kms
    for region in kms.scopes.values():
        shown += [repr(region.stores), repr(region.keys), repr(region.aliases)]
        shown += [repr(store.settings) for store in region.stores.values()]
    shown += [repr(kms.world.clusters), repr(kms.world.proxies)]
    shown += [repr(proxy.credentials) for proxy in kms.world.proxies.values()]
    return shown


def test_secrets_never_appear_where_they_do_not_belong(
    kms_keystores: KmsKeystores, caplog: pytest.LogCaptureFixture
) -> None:
    ks = kms_keystores
    caplog.set_level(logging.DEBUG, logger="kmsmock")
    kms = boto3.client("kms", region_name="us-east-1")
    lenient = boto3.client(
        "kms", region_name="us-east-1", config=Config(parameter_validation=False)
    )
    recorder = Recorder()
    for client in (kms, lenient):
        client.meta.events.register("after-call.kms", recorder)
    errors: list[str] = []

    # CloudHSM key store: create, fail on bad passwords, update, connect.
    hsm = kms.create_custom_key_store(
        **hsm_params("hsm", CloudHsmClusterId="cluster-234567abcdef"),
    )["CustomKeyStoreId"]
    for password in (SHORT_PASSWORD, LONG_PASSWORD):
        errors.append(
            error_text(
                lenient.update_custom_key_store, CustomKeyStoreId=hsm, KeyStorePassword=password
            )
        )
    errors.append(  # name in use: an error about a request that carries a password
        error_text(
            kms.create_custom_key_store,
            **hsm_params(
                "hsm", CloudHsmClusterId="cluster-234567abcdeg", KeyStorePassword=NEW_PASSWORD
            ),
        )
    )
    kms.update_custom_key_store(CustomKeyStoreId=hsm, KeyStorePassword=NEW_PASSWORD)
    kms.connect_custom_key_store(CustomKeyStoreId=hsm)
    errors.append(  # a password change while CONNECTED is refused
        error_text(kms.update_custom_key_store, CustomKeyStoreId=hsm, KeyStorePassword=PASSWORD)
    )

    # External key store: create, fail on a bad secret, rotate the credential.
    credential = {"AccessKeyId": XKS_ACCESS_KEY, "RawSecretAccessKey": SECRET}
    xks = kms.create_custom_key_store(
        CustomKeyStoreName="xks",
        CustomKeyStoreType="EXTERNAL_KEY_STORE",
        XksProxyUriEndpoint="https://xks.example.com",
        XksProxyUriPath="/kms/xks/v1",
        XksProxyConnectivity="PUBLIC_ENDPOINT",
        XksProxyAuthenticationCredential=credential,
    )["CustomKeyStoreId"]
    errors.append(
        error_text(
            lenient.update_custom_key_store,
            CustomKeyStoreId=xks,
            XksProxyAuthenticationCredential={**credential, "RawSecretAccessKey": BAD_SECRET},
        )
    )
    kms.update_custom_key_store(
        CustomKeyStoreId=xks,
        XksProxyAuthenticationCredential={**credential, "RawSecretAccessKey": NEW_SECRET},
    )
    kms.connect_custom_key_store(CustomKeyStoreId=xks)
    kms.describe_custom_key_stores()

    # The raw wire path, with a password and with a secret that validation refuses.
    raw_answers = [
        raw("DescribeCustomKeyStores", {}),
        raw(
            "CreateCustomKeyStore",
            {
                "CustomKeyStoreName": "raw",
                "CloudHsmClusterId": "cluster-234567abcdeh",
                "TrustAnchorCertificate": TRUST_ANCHOR,
                "KeyStorePassword": SHORT_PASSWORD,
            },
        ),
        raw("UpdateCustomKeyStore", {"CustomKeyStoreId": hsm, "KeyStorePassword": LONG_PASSWORD}),
    ]

    # Data keys and plaintexts, in both kinds of store.
    data_keys: list[bytes] = []
    for store_id, origin, extra in (
        (hsm, "AWS_CLOUDHSM", {}),
        (xks, "EXTERNAL_KEY_STORE", {"XksKeyId": "external-key"}),
    ):
        key_id = kms.create_key(CustomKeyStoreId=store_id, Origin=origin, **extra)["KeyMetadata"][
            "KeyId"
        ]
        data_key = kms.generate_data_key(KeyId=key_id, KeySpec="AES_256")
        data_keys.append(data_key["Plaintext"])
        opened = kms.decrypt(CiphertextBlob=data_key["CiphertextBlob"])
        assert opened["Plaintext"] == data_key["Plaintext"]
        kms.generate_data_key_without_plaintext(KeyId=key_id, NumberOfBytes=48)
        plaintext = os.urandom(40)
        data_keys.append(plaintext)
        sealed = kms.encrypt(KeyId=key_id, Plaintext=plaintext)["CiphertextBlob"]
        kms.re_encrypt(CiphertextBlob=sealed, DestinationKeyId=key_id)
        errors.append(  # a wrong encryption context: an error about a request with a plaintext
            error_text(kms.decrypt, CiphertextBlob=sealed, EncryptionContext={"a": "b"})
        )
        kms.disable_key(KeyId=key_id)
        errors.append(error_text(kms.encrypt, KeyId=key_id, Plaintext=plaintext))
        errors.append(error_text(kms.generate_data_key, KeyId=key_id, KeySpec="AES_256"))

    # The secrets reached kmsmock, and its call log shows them redacted.
    creates = [call for call in ks.calls if call.operation == "CreateCustomKeyStore"]
    assert all(
        call.params.get("KeyStorePassword", "<redacted>") == "<redacted>" for call in creates
    )
    assert [
        call.params["XksProxyAuthenticationCredential"]
        for call in creates
        if "XksProxyAuthenticationCredential" in call.params
    ] == [{"AccessKeyId": "<redacted>", "RawSecretAccessKey": "<redacted>"}]
    assert {call.params["Plaintext"] for call in ks.calls if call.operation == "Encrypt"} == {
        "<redacted>"
    }

    text_secrets = list(TEXT_SECRETS)
    assert not leaks(recorder.bodies(), text_secrets), "an answer holds a password or secret"
    assert not leaks(raw_answers, text_secrets), "a raw answer holds a password or secret"
    assert not leaks(errors, text_secrets + data_keys), "an error message holds a secret"
    assert not leaks(recorder.bodies(excluding=("GenerateDataKey", "Decrypt")), data_keys), (
        "an answer AWS gives without a plaintext holds one"
    )
    shown = everything_kmsmock_shows(ks)
    assert not leaks(shown, text_secrets + data_keys), "a repr or the call log holds a secret"
    logged = [caplog.text, *(record.getMessage() for record in caplog.records)]
    assert not leaks(logged, text_secrets + data_keys), "kmsmock logged a secret"


# -- the boundary ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "attempt",
    [
        lambda: socket.create_connection(("kms.us-east-1.amazonaws.com", 443), timeout=1),
        lambda: socket.getaddrinfo("example.com", 443),
        lambda: socket.gethostbyname("example.com"),
        lambda: socket.socket().connect(("93.184.216.34", 80)),
        lambda: socket.socket(socket.AF_INET6).connect_ex(("2606:2800:220:1::", 80)),
        lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", ("8.8.8.8", 53)),
        lambda: socket.socket().connect(("169.254.169.254", 80)),
        lambda: urllib.request.urlopen("http://example.com/", timeout=1),
        lambda: requests.get("https://kms.us-east-1.amazonaws.com/", timeout=1),
    ],
    ids=[
        "create_connection",
        "getaddrinfo",
        "gethostbyname",
        "connect",
        "connect_ex-ipv6",
        "udp-sendto",
        "instance-metadata",
        "urllib",
        "requests-without-the-mock",
    ],
)
def test_every_way_out_is_blocked(attempt: Any) -> None:
    with pytest.raises(AssertionError, match="blocked in tests"):
        attempt()


def test_the_loopback_stays_open() -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        with socket.create_connection(("localhost", port), timeout=5):
            pass
    socket.getaddrinfo("localhost", 80)
    socket.getaddrinfo("::1", 80)


def test_a_full_workflow_opens_no_socket(socket_log: list[tuple[str, Any]]) -> None:
    with mock_kms_keystores(connect_delay=60) as ks:
        kms = boto3.client("kms", region_name="us-east-1")
        store_id = kms.create_custom_key_store(
            **hsm_params("workflow", CloudHsmClusterId="cluster-234567abcdef"),
        )["CustomKeyStoreId"]
        kms.connect_custom_key_store(CustomKeyStoreId=store_id)
        ks.advance(60)
        key_id = kms.create_key(CustomKeyStoreId=store_id, Origin="AWS_CLOUDHSM")["KeyMetadata"][
            "KeyId"
        ]
        kms.create_alias(AliasName="alias/workflow", TargetKeyId=key_id)
        data_key = kms.generate_data_key(KeyId="alias/workflow", KeySpec="AES_256")
        kms.decrypt(CiphertextBlob=data_key["CiphertextBlob"])
        answer = requests.post(
            URL,
            headers={"X-Amz-Target": "TrentService.DescribeKey"},
            json={"KeyId": key_id},
            timeout=5,
        )
        assert answer.json()["KeyMetadata"]["KeyState"] == "Enabled"
        kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
        kms.disconnect_custom_key_store(CustomKeyStoreId=store_id)
        ks.advance(7 * 86400)
        kms.delete_custom_key_store(CustomKeyStoreId=store_id)
        assert kms.describe_custom_key_stores()["CustomKeyStores"] == []
    assert socket_log == [], f"the workflow used sockets: {[event for event, _ in socket_log]}"


REAL_KEY = "AKIAREALKEYNEVERUSE1"
REAL_SECRET = "real+secret/that/must/never/sign/anything0"
REAL_TOKEN = "real-session-token-never-sent"


def test_real_credentials_in_the_environment_are_never_used(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, socket_log: list[tuple[str, Any]]
) -> None:
    marker = tmp_path / "credential-process-ran"
    config = tmp_path / "config"
    config.write_text(
        "[profile real]\n"
        f"credential_process = sh -c 'touch {marker}; echo {{}}'\n"
        "[default]\n"
        f"credential_process = sh -c 'touch {marker}; echo {{}}'\n"
    )
    credentials = tmp_path / "credentials"
    credentials.write_text(
        f"[real]\naws_access_key_id = {REAL_KEY}\naws_secret_access_key = {REAL_SECRET}\n"
    )
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", REAL_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", REAL_SECRET)
    monkeypatch.setenv("AWS_SESSION_TOKEN", REAL_TOKEN)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    monkeypatch.setenv("AWS_PROFILE", "real")
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)  # one that reads this config
    sent: list[str] = []

    def capture(request: Any, **kwargs: Any) -> None:
        sent.append(repr(dict(request.headers)))

    with mock_kms_keystores():
        for client in (
            boto3.client("kms", region_name="us-east-1"),
            boto3.session.Session().client("kms", region_name="eu-west-1"),
        ):
            client.meta.events.register("before-send.kms", capture)
            client.describe_custom_key_stores()
            client.create_key()
            with pytest.raises(ClientError):
                client.describe_key(KeyId="alias/missing")
    assert len(sent) == 6
    for headers in sent:
        assert "AKIAKMSM" in headers
        for real in (REAL_KEY, REAL_TOKEN, REAL_SECRET):
            assert real not in headers
    assert not marker.exists(), "a credential process ran while the mock was active"
    assert socket_log == []
    # Afterwards the environment holds the real values again.
    assert os.environ["AWS_ACCESS_KEY_ID"] == REAL_KEY
    assert os.environ["AWS_SESSION_TOKEN"] == REAL_TOKEN
