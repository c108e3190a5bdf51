"""HMAC keys: GenerateMac and VerifyMac."""

from __future__ import annotations

from ..domain import key_pairs
from ..domain.aws_error import AwsError
from ..domain.key_specs import GENERATE_VERIFY_MAC, check_algorithm
from ..domain.key_states import KeyUse
from ..domain.keys import KmsKey
from .key_usage import answer_dry_run, usable_key
from .registry import Context, Params, Result, operation
from .usage_operations import note_use

__all__: list[str] = []


def _mac_key(ctx: Context, params: Params) -> KmsKey:
    key = usable_key(ctx, params, KeyUse.MAC, GENERATE_VERIFY_MAC)
    check_algorithm(key.key_spec, key.key_usage, params["MacAlgorithm"])
    answer_dry_run(params)
    return key


@operation("GenerateMac")
def generate_mac(ctx: Context, params: Params) -> Result:
    """GenerateMac: the HMAC (RFC 2104) of the message under the key."""
    key = _mac_key(ctx, params)
    algorithm = params["MacAlgorithm"]
    mac = key_pairs.hmac_digest(key.material, algorithm, params["Message"])
    note_use(ctx, key)
    return {"Mac": mac, "MacAlgorithm": algorithm, "KeyId": key.arn}


@operation("VerifyMac")
def verify_mac(ctx: Context, params: Params) -> Result:
    """VerifyMac: the HMAC is the key's for the message, or KMSInvalidMacException."""
    key = _mac_key(ctx, params)
    algorithm = params["MacAlgorithm"]
    if not key_pairs.mac_matches(key.material, algorithm, params["Message"], params["Mac"]):
        raise AwsError("KMSInvalidMacException", "")
    note_use(ctx, key)
    return {"KeyId": key.arn, "MacValid": True, "MacAlgorithm": algorithm}
