"""aiobotocore and aioboto3 clients, intercepted like botocore's.

These run in the environment ``.ci/run`` makes with the ``async`` extra. In
the quick start's environment, without aiobotocore, they are skipped, unless
``KMSMOCK_REQUIRE_ASYNC`` is set (as ``.ci/run`` sets it), when a missing
aiobotocore fails the run instead.
"""

from __future__ import annotations

import asyncio
import importlib
import os
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from botocore.config import Config
from kms_helpers import CLUSTER_ID, PASSWORD, TRUST_ANCHOR

import kmsmock
from kmsmock import mock_kms_keystores

REQUIRED = bool(os.environ.get("KMSMOCK_REQUIRE_ASYNC"))


def _optional(module: str) -> Any:
    """``module``, or a skip when it is missing, unless the async tests are required."""
    if REQUIRED:
        return importlib.import_module(module)
    return pytest.importorskip(module, reason="the async extra is not installed")


aio_session = _optional("aiobotocore.session")
REGION = "us-east-1"


@asynccontextmanager
async def kms_client(**kwargs: Any) -> AsyncIterator[Any]:
    """An aiobotocore KMS client (``async with session.create_client("kms")``)."""
    session = aio_session.get_session()
    async with session.create_client("kms", region_name=REGION, **kwargs) as client:
        yield client


async def create_cloudhsm(kms: Any, name: str = "hsm-store") -> str:
    answer = await kms.create_custom_key_store(
        CustomKeyStoreName=name,
        CloudHsmClusterId=CLUSTER_ID,
        TrustAnchorCertificate=TRUST_ANCHOR,
        KeyStorePassword=PASSWORD,
    )
    return str(answer["CustomKeyStoreId"])


async def state_of(kms: Any, store_id: str) -> tuple[str, str | None]:
    entry = (await kms.describe_custom_key_stores(CustomKeyStoreId=store_id))["CustomKeyStores"][0]
    return entry["ConnectionState"], entry.get("ConnectionErrorCode")


@pytest.mark.asyncio
async def test_the_store_lifecycle_with_a_failed_connection(kms_keystores: Any) -> None:
    async with kms_client() as kms:
        store_id = await create_cloudhsm(kms)
        kms_keystores.fail_next_connect(store_id, "USER_LOCKED_OUT")
        await kms.connect_custom_key_store(CustomKeyStoreId=store_id)
        assert await state_of(kms, store_id) == ("FAILED", "USER_LOCKED_OUT")
        with pytest.raises(kms.exceptions.CustomKeyStoreInvalidStateException):
            await kms.connect_custom_key_store(CustomKeyStoreId=store_id)
        await kms.disconnect_custom_key_store(CustomKeyStoreId=store_id)
        await kms.connect_custom_key_store(CustomKeyStoreId=store_id)
        assert await state_of(kms, store_id) == ("CONNECTED", None)
        await kms.disconnect_custom_key_store(CustomKeyStoreId=store_id)
        await kms.delete_custom_key_store(CustomKeyStoreId=store_id)
    assert [call.operation for call in kms_keystores.calls][-1] == "DeleteCustomKeyStore"


@pytest.mark.asyncio
async def test_keys_in_a_store_encrypt_and_become_unavailable(kms_keystores: Any) -> None:
    async with kms_client() as kms:
        store_id = await create_cloudhsm(kms)
        await kms.connect_custom_key_store(CustomKeyStoreId=store_id)
        key = (await kms.create_key(CustomKeyStoreId=store_id, Origin="AWS_CLOUDHSM"))[
            "KeyMetadata"
        ]
        blob = (await kms.encrypt(KeyId=key["KeyId"], Plaintext=b"secret"))["CiphertextBlob"]
        assert (await kms.decrypt(CiphertextBlob=blob))["Plaintext"] == b"secret"
        await kms.disconnect_custom_key_store(CustomKeyStoreId=store_id)
        described = (await kms.describe_key(KeyId=key["KeyId"]))["KeyMetadata"]
        assert described["KeyState"] == "Unavailable"
        with pytest.raises(kms.exceptions.KMSInvalidStateException):
            await kms.decrypt(CiphertextBlob=blob)


@pytest.mark.asyncio
async def test_an_injected_throttle_is_retried_on_the_mock_clock(kms_keystores: Any) -> None:
    retries = Config(retries={"mode": "standard", "max_attempts": 3})
    async with kms_client(config=retries) as kms:
        kms_keystores.inject_error("ListKeys", "ThrottlingException", times=2)
        before_clock, before_wall = kms_keystores.now(), time.monotonic()
        answer = await kms.list_keys()
        assert answer["ResponseMetadata"]["RetryAttempts"] == 2
        assert [call.error_code for call in kms_keystores.calls] == [
            "ThrottlingException",
            "ThrottlingException",
            None,
        ]
        assert time.monotonic() - before_wall < 0.5  # the backoff did not wait for real ...
        assert kms_keystores.now() > before_clock  # ... it moved the mock clock


@pytest.mark.asyncio
async def test_an_injected_internal_error_is_retried_by_aiobotocore(kms_keystores: Any) -> None:
    async with kms_client() as kms:
        kms_keystores.inject_error("DescribeCustomKeyStores", "KMSInternalException")
        assert (await kms.describe_custom_key_stores())["CustomKeyStores"] == []
    assert [call.error_code for call in kms_keystores.calls] == ["KMSInternalException", None]


@pytest.mark.asyncio
async def test_two_accounts_are_kept_apart(kms_keystores: Any) -> None:
    async with (
        kms_client(**kms_keystores.credentials("111111111111")) as alice,
        kms_client(**kms_keystores.credentials("222222222222")) as bob,
    ):
        await create_cloudhsm(alice, name="same-name")
        await create_cloudhsm(bob, name="same-name")
        alices = (await alice.describe_custom_key_stores())["CustomKeyStores"]
        assert len(alices) == 1
    accounts = {call.account_id for call in kms_keystores.calls}
    assert accounts == {"111111111111", "222222222222"}


@pytest.mark.asyncio
async def test_two_hundred_concurrent_coroutines(kms_keystores: Any) -> None:
    async with kms_client() as kms:
        store_id = await create_cloudhsm(kms)
        await kms.connect_custom_key_store(CustomKeyStoreId=store_id)

        async def work(number: int) -> str:
            key = (await kms.create_key(Description=f"key {number}"))["KeyMetadata"]["KeyId"]
            blob = (await kms.encrypt(KeyId=key, Plaintext=str(number).encode()))["CiphertextBlob"]
            assert (await kms.decrypt(CiphertextBlob=blob))["Plaintext"] == str(number).encode()
            return str(key)

        keys = await asyncio.gather(*(work(number) for number in range(200)))
        assert len(set(keys)) == 200
        listed = [
            key["KeyId"]
            async for page in kms.get_paginator("list_keys").paginate()
            for key in page["Keys"]
        ]
        assert sorted(listed) == sorted(keys)


def test_several_event_loops_in_several_threads(kms_keystores: Any) -> None:
    made: list[str] = []
    errors: list[BaseException] = []

    async def make_keys() -> None:
        async with kms_client() as kms:
            for _ in range(25):
                made.append((await kms.create_key())["KeyMetadata"]["KeyId"])

    def run() -> None:
        try:
            asyncio.run(make_keys())
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert len(set(made)) == 100
    assert sum(call.operation == "CreateKey" and call.ok for call in kms_keystores.calls) == 100


@pytest.mark.asyncio
async def test_aioboto3_clients_are_intercepted(kms_keystores: Any) -> None:
    session = _optional("aioboto3").Session()
    async with session.client("kms", region_name=REGION) as kms:
        store_id = await create_cloudhsm(kms)
        assert (await state_of(kms, store_id))[0] == "DISCONNECTED"


@pytest.mark.asyncio
async def test_a_client_made_before_the_mock_started_is_intercepted() -> None:
    async with kms_client(
        aws_access_key_id="AKIAREALREALREALREAL", aws_secret_access_key="real-secret"
    ) as kms:
        with mock_kms_keystores() as ks:
            await create_cloudhsm(kms)
            assert len((await kms.describe_custom_key_stores())["CustomKeyStores"]) == 1
    assert [call.account_id for call in ks.calls] == ["123456789012"] * 2


@mock_kms_keystores
@pytest.mark.asyncio
async def test_the_decorator_on_an_asyncio_test() -> None:
    assert kmsmock.activation.current() is not None
    async with kms_client() as kms:
        assert (await kms.list_keys())["Keys"] == []


@pytest.mark.anyio
@mock_kms_keystores(connect_delay=60)
async def test_the_decorator_on_an_anyio_test(kms_keystores: Any) -> None:
    async with kms_client() as kms:
        store_id = await create_cloudhsm(kms)
        await kms.connect_custom_key_store(CustomKeyStoreId=store_id)
        assert (await state_of(kms, store_id))[0] == "CONNECTING"
        kms_keystores.advance(60)
        assert (await state_of(kms, store_id))[0] == "CONNECTED"


@pytest.fixture
def anyio_backend() -> str:
    """anyio's tests run on asyncio (aiobotocore's default HTTP client needs it)."""
    return "asyncio"


PROGRAM = textwrap.dedent(
    """
    import asyncio
    import sys

    import aiobotocore.session

    session = aiobotocore.session.get_session()
    early = session.create_client("kms", region_name="us-east-1")  # before kmsmock

    import kmsmock  # noqa: E402

    async def main():
        async with early as kms:
            with kmsmock.mock_kms_keystores() as ks:
                await kms.list_keys()
                assert [call.operation for call in ks.calls] == ["ListKeys"]
        print("ok")

    asyncio.run(main())
    """
)


def test_a_client_made_before_kmsmock_was_imported_is_answered() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROGRAM],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={
            **os.environ,
            "AWS_ACCESS_KEY_ID": "AKIAREALREALREALREAL",
            "AWS_SECRET_ACCESS_KEY": "x",
        },
    )
    assert result.stdout.strip().endswith("ok"), result.stdout + result.stderr


def test_importing_kmsmock_imports_no_aiobotocore() -> None:
    code = (
        "import sys, boto3, kmsmock\n"
        "with kmsmock.mock_kms_keystores():\n"
        "    pass\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('aiobotocore', 'aiohttp')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "[]"


def test_the_async_page_examples_run(pytester: pytest.Pytester) -> None:
    import re
    from pathlib import Path

    page = (Path(__file__).parent.parent / "docs" / "async.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", page, flags=re.DOTALL)
    pytester.makepyfile(test_async_page="\n\n".join(blocks))
    result = pytester.runpytest_inprocess(
        "-p", "no:cacheprovider", "-o", "asyncio_default_fixture_loop_scope=function"
    )
    result.assert_outcomes(passed=2)
