"""The encoders written from the model's output shapes: every member as the model types it."""

from __future__ import annotations

import json

from kmsmock.api.registry import Memo
from kmsmock.model import service_model
from kmsmock.protocol.encoding import encoder_for


def _encoder(operation: str):  # type: ignore[no-untyped-def]
    return encoder_for(service_model().operation_model(operation).output_shape)


def _listing(keys: tuple[str, ...]) -> dict[str, object]:
    return {"Keys": [{"KeyId": key} for key in keys], "Truncated": False}


def test_members_are_written_as_the_model_types_them() -> None:
    answer = _encoder("GenerateDataKey")(
        {"KeyId": 'arn:"quoted"', "Plaintext": b"\x00\xff", "CiphertextBlob": b"blob"}
    )
    assert answer.status == 200
    assert json.loads(answer.body) == {
        "KeyId": 'arn:"quoted"',
        "Plaintext": "AP8=",
        "CiphertextBlob": "YmxvYg==",
    }
    assert answer.headers["Content-Length"] == str(len(answer.body))


def test_answers_may_come_kept_or_as_values() -> None:
    encode = _encoder("ListKeys")
    kept = json.loads(encode(Memo(_listing, ("k",))).body)
    built = json.loads(encode({"Keys": [{"KeyId": "k"}], "Truncated": False}).body)
    assert kept == built == {"Keys": [{"KeyId": "k"}], "Truncated": False}


def test_absent_members_are_left_out() -> None:
    body = _encoder("ListKeys")({"Keys": [], "Truncated": False, "NextMarker": None})
    assert json.loads(body.body) == {"Keys": [], "Truncated": False}


def test_an_operation_without_output_answers_an_empty_object() -> None:
    assert json.loads(_encoder("EnableKey")({}).body) == {}


def test_a_member_the_model_in_use_lacks_is_left_out() -> None:
    # An older botocore (aiobotocore pins one) lacks members newer handlers
    # answer, such as Encrypt's KeyMaterialId; its client could not read them.
    answer = json.loads(_encoder("Encrypt")({"KeyId": "k", "MemberOfALaterModel": "x"}).body)
    assert answer == {"KeyId": "k"}
