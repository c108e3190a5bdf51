"""Aliases: CreateAlias, UpdateAlias, DeleteAlias, ListAliases."""

from __future__ import annotations

import re
from typing import Final, NamedTuple

from ..domain.aws_error import AwsError
from ..domain.key_specs import key_type
from ..domain.key_states import KeyUse
from ..domain.keys import Alias
from ..domain.scope import AccountRegion
from .key_reference import find_key
from .paging import paginate
from .registry import Context, Params, Result, epoch, operation

__all__ = ["ALIASES_PER_KEY", "PREDEFINED_ALIASES", "PredefinedAlias"]

_PREFIX: Final = "alias/"
_RESERVED: Final = "alias/aws/"
_NAME: Final = re.compile(r"[a-zA-Z0-9/_-]+")
"""What CreateAlias's reference allows: the model's pattern also admits ``:``, which KMS refuses."""

ALIASES_PER_KEY: Final = 50
"""The "Aliases per KMS key" resource quota of the KMS Developer Guide."""


class PredefinedAlias(NamedTuple):
    """An alias AWS creates in every account before its service makes the AWS managed key.

    ListAliases shows it with no TargetKeyId; its ``seq`` (below every
    customer alias's) lists the predefined aliases first, by name.
    """

    name: str
    seq: int


PREDEFINED_ALIASES: Final = tuple(
    PredefinedAlias(f"alias/aws/{service}", seq)
    for seq, service in enumerate(
        (
            "dynamodb",
            "ebs",
            "elasticfilesystem",
            "es",
            "glue",
            "kinesisvideo",
            "rds",
            "redshift",
            "s3",
            "secretsmanager",
            "ssm",
            "xray",
        ),
        start=-12,
    )
)
"""The predefined aliases a new account's ListAliases shows, as AWS answered it for one."""


def _alias(scope: AccountRegion, name: str) -> Alias:
    alias = scope.aliases.get(name)
    if alias is None:
        raise AwsError("NotFoundException", f"Alias {scope.arn(name)} is not found.")
    return alias


def _check_prefix(name: str) -> None:
    if not name.startswith(_PREFIX) or name == _PREFIX:
        raise AwsError(
            "ValidationException",
            'Alias must start with the prefix "alias/". Please see '
            "https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html",
        )


def _check_new_name(name: str) -> None:
    _check_prefix(name)
    if _NAME.fullmatch(name) is None:
        raise AwsError(
            "ValidationException",
            f"1 validation error detected: Value '{name}' at 'aliasName' failed to satisfy "
            "constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9/_-]+$",
        )
    if name.startswith(_RESERVED):
        raise AwsError(
            "InvalidAliasNameException",
            "The alias/aws/ prefix is reserved for Amazon Web Services managed keys.",
        )


def _check_quota(scope: AccountRegion, key_id: str) -> None:
    held = sum(1 for alias in scope.aliases.values() if alias.target_key_id == key_id)
    if held >= ALIASES_PER_KEY:
        raise AwsError(
            "LimitExceededException",
            f"KMS key {scope.arn('key/' + key_id)} already has {ALIASES_PER_KEY} aliases, "
            "the most a KMS key may have.",
        )


@operation("CreateAlias")
def create_alias(ctx: Context, params: Params) -> Result:
    """CreateAlias: a new alias for a key in the caller's account and region."""
    name = params["AliasName"]
    _check_new_name(name)
    scope = ctx.scope
    key = find_key(ctx, params["TargetKeyId"], KeyUse.MODIFY, "TargetKeyId")
    if name in scope.aliases:
        raise AwsError(
            "AlreadyExistsException", f"An alias with the name {scope.arn(name)} already exists"
        )
    _check_quota(scope, key.id)
    now = ctx.now
    scope.aliases[name] = Alias(
        name=name,
        arn=scope.arn(name),
        target_key_id=key.id,
        created=now,
        updated=now,
        seq=scope.next_seq(),
    )
    return {}


@operation("UpdateAlias")
def update_alias(ctx: Context, params: Params) -> Result:
    """UpdateAlias: point an existing alias at another key."""
    alias = _alias(ctx.scope, params["AliasName"])
    key = find_key(ctx, params["TargetKeyId"], KeyUse.MODIFY, "TargetKeyId")
    current = ctx.scope.keys.get(alias.target_key_id)
    if current is not None and (key_type(current.key_spec), current.key_usage) != (
        key_type(key.key_spec),
        key.key_usage,
    ):
        raise AwsError(
            "ValidationException",
            f"Alias {alias.arn} must point to a KMS key of the same type and key usage as its "
            f"current key: a {key_type(current.key_spec)} {current.key_usage} key. Use "
            "DeleteAlias and CreateAlias to point it at another type of key.",
        )
    if key.id != alias.target_key_id:
        _check_quota(ctx.scope, key.id)
    alias.target_key_id = key.id
    alias.updated = ctx.now
    return {}


@operation("DeleteAlias")
def delete_alias(ctx: Context, params: Params) -> Result:
    """DeleteAlias: remove an alias (its key is untouched)."""
    _check_prefix(params["AliasName"])
    del ctx.scope.aliases[_alias(ctx.scope, params["AliasName"]).name]
    return {}


@operation("ListAliases")
def list_aliases(ctx: Context, params: Params) -> Result:
    """ListAliases: the aliases of the account and region, or of one key, paged.

    The predefined aliases come first; then the account's own, in creation order.
    """
    scope = ctx.scope
    key_ref = params.get("KeyId")
    listed: list[Alias | PredefinedAlias]
    if key_ref is None:
        listed = [*PREDEFINED_ALIASES, *sorted(scope.aliases.values(), key=lambda a: a.seq)]
    else:
        key = find_key(ctx, key_ref, KeyUse.READ)
        listed = sorted(
            (alias for alias in scope.aliases.values() if alias.target_key_id == key.id),
            key=lambda alias: alias.seq,
        )
    page = paginate(ctx, params, listed, default_limit=50, max_limit=100, filters=(key_ref,))
    return page.result("Aliases", [_entry(scope, alias) for alias in page.items])


def _entry(scope: AccountRegion, alias: Alias | PredefinedAlias) -> Result:
    if isinstance(alias, PredefinedAlias):
        return {"AliasName": alias.name, "AliasArn": scope.arn(alias.name)}
    return {
        "AliasName": alias.name,
        "AliasArn": alias.arn,
        "TargetKeyId": alias.target_key_id,
        "CreationDate": epoch(alias.created),
        "LastUpdatedDate": epoch(alias.updated),
    }
