"""Clients kmsmock did not write, against a kmsmock server: the AWS CLI, JavaScript and Go SDKs.

They parse KMS's answers with their own code (botocore through the CLI,
smithy-typescript, smithy-go), so they catch wire mistakes botocore forgives.
Each needs its tool installed; ``.ci/run`` installs all three and sets
``KMSMOCK_REQUIRE_CLIENTS=1``, which turns a missing tool into a failure.
Without it, a missing tool skips its test.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from kmsmock.server import KmsServer

CLIENTS = Path(__file__).parent / "clients"
ACCOUNT = "111122223333"
REGION = "eu-west-1"
REQUIRED = os.environ.get("KMSMOCK_REQUIRE_CLIENTS") == "1"
GO_SDK = Path("/usr/share/gocode/src/github.com/aws/aws-sdk-go-v2/service/kms")


def _tool(found: str | None, what: str) -> str:
    if found is None:
        message = f"{what} is not installed (.ci/run installs it)"
        if REQUIRED:
            pytest.fail(message)
        pytest.skip(message)
    return found


@pytest.fixture
def server() -> Iterator[KmsServer]:
    # Real delays, so the clients' polling sees CONNECTING and DISCONNECTING.
    with KmsServer(connect_delay=0.5, disconnect_delay=0.25) as running:
        yield running


def _environment(server: KmsServer, home: Path) -> dict[str, str]:
    """Only what the client needs: fake credentials, no AWS config, the server's URL."""
    return {
        "PATH": os.environ["PATH"],
        "HOME": str(home),
        "KMSMOCK_URL": server.url,
        "AWS_ACCESS_KEY_ID": f"AKIAKMSM{ACCOUNT}",
        "AWS_SECRET_ACCESS_KEY": "kmsmock-does-not-check-signatures",
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
        "NODE_NO_WARNINGS": "1",
    }


def _run(command: list[str], server: KmsServer, home: Path, **extra: str) -> str:
    finished = subprocess.run(
        command,
        env={**_environment(server, home), **extra},
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = finished.stdout + finished.stderr
    assert finished.returncode == 0, output
    return output


def _served(server: KmsServer) -> list[str]:
    """The operations the server answered, having checked every one came from the client."""
    calls = server.handle.calls
    assert {(call.account_id, call.region) for call in calls} == {(ACCOUNT, REGION)}
    return [call.operation for call in calls]


def test_the_aws_cli_runs_a_cloudhsm_runbook(server: KmsServer, tmp_path: Path) -> None:
    aws = _tool(os.environ.get("KMSMOCK_AWS_CLI") or shutil.which("aws"), "the AWS CLI")
    output = _run(
        ["bash", str(CLIENTS / "aws_cli_runbook.sh")],
        server,
        tmp_path,
        PATH=f"{Path(aws).parent}{os.pathsep}{os.environ['PATH']}",
    )
    assert "runbook: ok" in output
    assert output.count("as expected:") == 8
    operations = _served(server)
    assert {"ConnectCustomKeyStore", "Encrypt", "Decrypt", "DisconnectCustomKeyStore"} <= set(
        operations
    )


def test_the_javascript_sdk_runs_both_store_lifecycles(server: KmsServer, tmp_path: Path) -> None:
    node = _tool(shutil.which("node"), "Node.js")
    installed = CLIENTS / "js" / "node_modules" / "@aws-sdk" / "client-kms"
    _tool(str(installed) if installed.exists() else None, "@aws-sdk/client-kms (npm ci)")
    output = _run([node, str(CLIENTS / "js" / "lifecycle.mjs")], server, tmp_path)
    for part in (
        "CloudHSM key store lifecycle",
        "arranged failure",
        "external key store lifecycle",
        "retried injected error",
    ):
        assert f"{part}: ok" in output, output
    operations = _served(server)
    assert operations.count("ListKeys") == 2  # the injected error, then its retry


def test_the_go_sdk_runs_the_cloudhsm_lifecycle(server: KmsServer, tmp_path: Path) -> None:
    go = _tool(shutil.which("go"), "Go (Debian's golang-go)")
    _tool(str(GO_SDK) if GO_SDK.exists() else None, "golang-github-aws-aws-sdk-go-v2-dev")
    binary = tmp_path / "lifecycle"
    cache = os.environ.get("GOCACHE") or str(Path.home() / ".cache" / "go-build")
    built = subprocess.run(
        [go, "build", "-o", str(binary), "."],
        cwd=CLIENTS / "go",  # GOPATH mode builds a directory by a relative path only
        env={
            "PATH": os.environ["PATH"],
            "HOME": str(tmp_path),
            "GO111MODULE": "off",
            "GOPATH": "/usr/share/gocode",
            "GOCACHE": cache,
        },
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert built.returncode == 0, built.stderr
    output = _run([str(binary)], server, tmp_path)
    assert "CloudHSM key store lifecycle: ok" in output
    assert output.count("as expected:") == 6
    assert "CreateKey" in _served(server)
