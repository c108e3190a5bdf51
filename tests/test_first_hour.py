"""What a new user hit in the first hour: refused calls in the log, generated values KMS accepts."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError
from kms_helpers import create_cloudhsm, create_xks, state

import kmsmock
from kmsmock.api.registry import HANDLERS
from kmsmock.calls import REFUSED


def test_a_refused_call_shows_in_the_call_log(kms: Any, kms_keystores: Any) -> None:
    # Every operation is simulated; the Recipient parameter (Nitro Enclaves) is still refused.
    with pytest.raises(
        kmsmock.UnimplementedOperationError, match="'GenerateRandom' with Recipient"
    ):
        kms.generate_random(NumberOfBytes=8, Recipient={"AttestationDocument": b"doc"})
    (call,) = kms_keystores.calls
    assert call.operation == "GenerateRandom"
    assert call.error_code == REFUSED
    assert not call.ok
    assert "Recipient" in (call.error_message or "")
    assert call.params["NumberOfBytes"] == 8


def test_a_refused_feature_shows_in_the_call_log(kms: Any, kms_keystores: Any) -> None:
    key_id = kms.create_key(KeySpec="ECC_NIST_EDWARDS25519", KeyUsage="SIGN_VERIFY")["KeyMetadata"][
        "KeyId"
    ]
    with pytest.raises(kmsmock.UnimplementedOperationError, match=r"'Sign' with .*Ed25519ph"):
        kms.sign(
            KeyId=key_id,
            Message=b"d" * 64,
            MessageType="DIGEST",
            SigningAlgorithm="ED25519_PH_SHA_512",
        )
    call = kms_keystores.calls[-1]
    assert (call.operation, call.error_code) == ("Sign", REFUSED)
    assert call.params["SigningAlgorithm"] == "ED25519_PH_SHA_512"
    assert call.params["Message"] == "<redacted>"  # Sign's message is sensitive in the model


def test_generated_proxy_credentials_are_accepted_by_kms(kms: Any, kms_keystores: Any) -> None:
    # Every credential kmsmock generates must pass KMS's own validation.
    for number in range(60):
        proxy = kms_keystores.xks_proxy(f"https://proxy{number}.example.com")
        credential = {
            "AccessKeyId": proxy.access_key_id,
            "RawSecretAccessKey": proxy.secret_access_key.reveal(),
        }
        try:
            store_id = create_xks(
                kms,
                name=f"store-{number}",
                XksProxyUriEndpoint=proxy.uri_endpoint,
                XksProxyAuthenticationCredential=credential,
            )
        except ClientError as error:  # pragma: no cover - the failure this test exists for
            pytest.fail(f"KMS refused generated credential {number}: {error}")
        kms.connect_custom_key_store(CustomKeyStoreId=store_id)
        assert state(kms, store_id) == "CONNECTED"  # the proxy accepts what KMS sends
        kms.disconnect_custom_key_store(CustomKeyStoreId=store_id)
        kms.delete_custom_key_store(CustomKeyStoreId=store_id)


def test_generated_cluster_ids_and_trust_anchors_are_accepted_by_kms(
    kms: Any, kms_keystores: Any
) -> None:
    for number in range(30):
        cluster = kms_keystores.cloudhsm_cluster()
        store_id = kms.create_custom_key_store(
            CustomKeyStoreName=f"hsm-{number}",
            CloudHsmClusterId=cluster.cluster_id,
            TrustAnchorCertificate=cluster.trust_anchor_certificate,
            KeyStorePassword=cluster.kmsuser_password.reveal(),
        )["CustomKeyStoreId"]
        kms.connect_custom_key_store(CustomKeyStoreId=store_id)
        assert state(kms, store_id) == "CONNECTED"
        kms.disconnect_custom_key_store(CustomKeyStoreId=store_id)
        kms.delete_custom_key_store(CustomKeyStoreId=store_id)


# -- the handle refuses what it cannot do, and says what is valid ------------------------


def test_attribute_typos_are_refused_with_the_valid_names(kms_keystores: Any) -> None:
    cluster = kms_keystores.cloudhsm_cluster()
    proxy = kms_keystores.xks_proxy("https://proxy.example.com")
    key = proxy.add_key("key-1")
    for target, typo in ((cluster, "reachble"), (proxy, "reachabel"), (key, "enabeld")):
        with pytest.raises(AttributeError, match=f"no attribute '{typo}'.*attributes are: "):
            setattr(target, typo, False)
    cluster.reachable = False  # the real names still work
    proxy.reachable = False
    key.enabled = False


def test_a_negative_number_of_hsms_is_refused(kms_keystores: Any) -> None:
    with pytest.raises(ValueError, match="0 or more"):
        kms_keystores.cloudhsm_cluster(hsms=-1)
    cluster = kms_keystores.cloudhsm_cluster()
    with pytest.raises(ValueError, match="0 or more"):
        cluster.hsms = -2
    with pytest.raises(TypeError, match="number of HSMs or a list"):
        cluster.hsms = "two"


@pytest.mark.parametrize(
    ("access_key_id", "secret", "problem"),
    [
        ("lower", "x" * 44, "access_key_id.*20 to 30"),
        ("lowercaselowercaselower", "x" * 44, "access_key_id.*pattern"),
        ("A" * 20, "x", "secret_access_key.*43 to 64"),
        ("A" * 20, "-" * 44, "secret_access_key.*pattern"),
    ],
)
def test_a_credential_kms_could_never_send_is_refused(
    kms_keystores: Any, access_key_id: str, secret: str, problem: str
) -> None:
    proxy = kms_keystores.xks_proxy("https://proxy.example.com")
    with pytest.raises(ValueError, match=problem) as caught:
        proxy.accept_credential(access_key_id, secret)
    assert secret not in str(caught.value) or len(secret) < 2  # a secret is never repeated
    assert len(proxy.credentials) == 1


def test_revoking_an_unknown_credential_says_so(kms_keystores: Any) -> None:
    proxy = kms_keystores.xks_proxy("https://proxy.example.com")
    with pytest.raises(LookupError, match="accepts no credential"):
        proxy.revoke_credential("AKIANOPE")
    proxy.revoke_credential(proxy.access_key_id)
    assert proxy.credentials == []


def test_fail_next_connect_refuses_a_code_of_the_other_store_type(
    kms: Any, kms_keystores: Any
) -> None:
    hsm_store = create_cloudhsm(kms)
    with pytest.raises(ValueError, match="not a ConnectionErrorCode of a AWS_CLOUDHSM") as caught:
        kms_keystores.fail_next_connect(hsm_store, "XKS_PROXY_TIMED_OUT")
    assert "USER_LOCKED_OUT" in str(caught.value)  # the valid ones are named
    xks_store = create_xks(kms)
    with pytest.raises(ValueError, match="EXTERNAL_KEY_STORE"):
        kms_keystores.fail_next_connect(xks_store, "USER_LOCKED_OUT")
    kms_keystores.fail_next_connect(hsm_store, "INTERNAL_ERROR")  # for every store type
    kms_keystores.fail_next_connect(xks_store, "INTERNAL_ERROR")


def test_inject_error_refuses_an_operation_kmsmock_does_not_simulate(
    kms_keystores: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # kmsmock simulates every operation of the model now: take one away to see the refusal.
    monkeypatch.delitem(HANDLERS, "UpdatePrimaryRegion")
    with pytest.raises(
        ValueError, match=r"does not simulate UpdatePrimaryRegion.*it simulates: .*Encrypt"
    ):
        kms_keystores.inject_error("UpdatePrimaryRegion", "KMSInvalidStateException")


def test_a_stopped_mocks_handle_refuses_to_change_anything() -> None:
    with kmsmock.mock_kms_keystores() as ks:
        pass
    changes = [
        lambda: ks.advance(1),
        lambda: ks.settle(),
        lambda: ks.cloudhsm_cluster(),
        lambda: ks.xks_proxy("https://proxy.example.com"),
        lambda: ks.inject_error("ListKeys", "ThrottlingException"),
        lambda: ks.fail_next_connect("cks-1234567890abcdef0", "INTERNAL_ERROR"),
        lambda: ks.reset(),
    ]
    for change in changes:
        with pytest.raises(kmsmock.InactiveMockError, match="has stopped"):
            change()
    assert ks.calls == []  # reading still works
    assert ks.now() > 0
    # nor does a later mock make the old handle live again
    with kmsmock.mock_kms_keystores(), pytest.raises(kmsmock.InactiveMockError):
        ks.advance(1)


def test_advance_takes_seconds_or_a_timedelta(kms_keystores: Any) -> None:
    start = kms_keystores.now()
    kms_keystores.advance(datetime.timedelta(minutes=2))
    kms_keystores.advance(30)
    kms_keystores.advance(0.5)
    assert kms_keystores.now() - start == pytest.approx(150.5, abs=1)
    for wrong in ("30", None, True, [1]):
        with pytest.raises(TypeError, match=r"number of seconds or a datetime\.timedelta"):
            kms_keystores.advance(wrong)
    with pytest.raises(ValueError, match="only moves forward"):
        kms_keystores.advance(datetime.timedelta(seconds=-1))


def test_stopping_twice_or_before_starting_says_which() -> None:
    mock = kmsmock.mock_kms_keystores()
    with pytest.raises(RuntimeError, match="never started"):
        mock.stop()
    mock.start()
    mock.stop()
    with pytest.raises(RuntimeError, match="stopped already"):
        mock.stop()


def test_a_bad_cluster_id_names_the_models_pattern(kms_keystores: Any) -> None:
    with pytest.raises(ValueError, match=r"cluster-\[2-7a-zA-Z\]\{11,16\}"):
        kms_keystores.cloudhsm_cluster("cluster-11111111111")


def test_an_update_refused_while_connected_names_the_property(kms: Any) -> None:
    store_id = create_cloudhsm(kms)
    kms.connect_custom_key_store(CustomKeyStoreId=store_id)
    with pytest.raises(ClientError) as caught:
        kms.update_custom_key_store(CustomKeyStoreId=store_id, KeyStorePassword="another-password")
    message = caught.value.response["Error"]["Message"]
    assert "UpdateCustomKeyStore with KeyStorePassword" in message
    assert "DISCONNECTED" in message
    assert "any other property" not in message  # no table label


def test_typed_credentials_and_public_types() -> None:
    import typing

    hints = typing.get_type_hints(kmsmock.ClientCredentials)
    assert set(hints) == {"aws_access_key_id", "aws_secret_access_key"}
    for name in ("CloudHsmCluster", "XksProxy", "ExternalKey", "Secret", "Call"):
        assert getattr(kmsmock, name).__name__ == name
        assert name in kmsmock.__all__


def test_mypy_run_elsewhere_finds_kmsmock(tmp_path: Any) -> None:
    # Users type-check their own tests against kmsmock's editable checkout.
    import subprocess
    import sys

    program = tmp_path / "user_test.py"
    program.write_text(
        "from kmsmock import ClientCredentials, KmsKeystores, mock_kms_keystores\n\n\n"
        "def credentials(ks: KmsKeystores) -> ClientCredentials:\n"
        "    return ks.credentials()\n\n\n"
        "with mock_kms_keystores() as ks:\n"
        '    access_key: str = credentials(ks)["aws_access_key_id"]\n'
    )
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", str(program)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
