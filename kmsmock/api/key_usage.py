"""What every operation on an asymmetric or HMAC key checks first: the key, its usage, DryRun."""

from __future__ import annotations

from ..domain.aws_error import AwsError
from ..domain.key_specs import check_usage
from ..domain.key_states import KeyUse
from ..domain.keys import KmsKey
from ..errors import UnimplementedOperationError
from .key_reference import find_key
from .registry import Context, Params

__all__ = ["answer_dry_run", "refuse_recipient", "usable_key"]


def usable_key(ctx: Context, params: Params, use: KeyUse, usage: str) -> KmsKey:
    """The key the request's KeyId names: its key state allows ``use``, its usage is ``usage``."""
    key = find_key(ctx, params["KeyId"], use)
    check_usage(key.arn, key.key_usage, usage, ctx.operation)
    return key


def refuse_recipient(ctx: Context, params: Params) -> None:
    """Refuse the Recipient parameter (a Nitro Enclaves attestation document): not simulated."""
    if "Recipient" in params:
        raise UnimplementedOperationError(ctx.operation, "Recipient (Nitro Enclaves attestation)")


def answer_dry_run(params: Params) -> None:
    """DryRun: every check passed, so KMS answers that the request would have succeeded."""
    if params.get("DryRun"):
        raise AwsError(
            "DryRunOperationException",
            "The request would have succeeded, but the DryRun option is set.",
        )
