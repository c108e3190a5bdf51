"""Aliases: CreateAlias, UpdateAlias, DeleteAlias, ListAliases."""

from __future__ import annotations

from typing import Final

from ..domain.aws_error import AwsError
from ..domain.key_states import KeyUse
from ..domain.keys import Alias
from ..domain.scope import AccountRegion
from .key_reference import find_key
from .paging import paginate
from .registry import Context, Params, Result, epoch, operation

__all__: list[str] = []

_PREFIX: Final = "alias/"
_RESERVED: Final = "alias/aws/"


def _alias(scope: AccountRegion, name: str) -> Alias:
    alias = scope.aliases.get(name)
    if alias is None:
        raise AwsError("NotFoundException", f"Alias {scope.arn(name)} is not found.")
    return alias


def _check_new_name(name: str) -> None:
    if not name.startswith(_PREFIX) or name == _PREFIX:
        raise AwsError(
            "ValidationException",
            'Alias must start with the prefix "alias/". Please see '
            "https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html",
        )
    if name.startswith(_RESERVED):
        raise AwsError(
            "InvalidAliasNameException",
            "The alias/aws/ prefix is reserved for Amazon Web Services managed keys.",
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
    alias.target_key_id = key.id
    alias.updated = ctx.now
    return {}


@operation("DeleteAlias")
def delete_alias(ctx: Context, params: Params) -> Result:
    """DeleteAlias: remove an alias (its key is untouched)."""
    del ctx.scope.aliases[_alias(ctx.scope, params["AliasName"]).name]
    return {}


@operation("ListAliases")
def list_aliases(ctx: Context, params: Params) -> Result:
    """ListAliases: the aliases of the account and region, or of one key, paged."""
    aliases = sorted(ctx.scope.aliases.values(), key=lambda alias: alias.seq)
    key_ref = params.get("KeyId")
    if key_ref is not None:
        key = find_key(ctx, key_ref, KeyUse.READ)
        aliases = [alias for alias in aliases if alias.target_key_id == key.id]
    page = paginate(ctx, params, aliases, default_limit=50, max_limit=100, filters=(key_ref,))
    entries = [
        {
            "AliasName": alias.name,
            "AliasArn": alias.arn,
            "TargetKeyId": alias.target_key_id,
            "CreationDate": epoch(alias.created),
            "LastUpdatedDate": epoch(alias.updated),
        }
        for alias in page.items
    ]
    return page.result("Aliases", entries)
