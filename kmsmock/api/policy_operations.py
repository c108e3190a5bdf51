"""Key policies: GetKeyPolicy, PutKeyPolicy, ListKeyPolicies (one policy, named default)."""

from __future__ import annotations

from ..domain.aws_error import AwsError
from ..domain.key_states import KeyUse
from .key_operations import check_policy
from .key_reference import find_key
from .registry import Context, Params, Result, operation

__all__: list[str] = []

DEFAULT = "default"


def _check_name(params: Params) -> None:
    name = params.get("PolicyName", DEFAULT)
    if name != DEFAULT:
        raise AwsError("NotFoundException", f"No such policy exists: {name}. Use {DEFAULT}.")


@operation("GetKeyPolicy")
def get_key_policy(ctx: Context, params: Params) -> Result:
    """GetKeyPolicy: the key's policy (there is one, named default)."""
    key = find_key(ctx, params["KeyId"], KeyUse.READ)
    _check_name(params)
    return {"Policy": key.policy, "PolicyName": DEFAULT}


@operation("PutKeyPolicy")
def put_key_policy(ctx: Context, params: Params) -> Result:
    """PutKeyPolicy: replace the key's policy with a JSON document."""
    key = find_key(ctx, params["KeyId"], KeyUse.READ)
    _check_name(params)
    check_policy(params["Policy"])
    key.policy = params["Policy"]
    return {}


@operation("ListKeyPolicies")
def list_key_policies(ctx: Context, params: Params) -> Result:
    """ListKeyPolicies: the one policy name, default."""
    find_key(ctx, params["KeyId"], KeyUse.READ)
    return {"PolicyNames": [DEFAULT], "Truncated": False}
