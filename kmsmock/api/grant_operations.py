"""Grants: CreateGrant, ListGrants, ListRetirableGrants, RetireGrant and RevokeGrant.

The rules themselves live in :mod:`kmsmock.domain.grants`; this module reads
requests, finds keys and grants, and writes answers. Grant tokens in other
operations' ``GrantTokens`` are checked by the pipeline, for every operation
whose model lists InvalidGrantTokenException.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import NamedTuple

from ..domain.aws_error import AwsError
from ..domain.grants import (
    GRANTEE_QUOTA,
    GRANTS_PER_KEY,
    Grant,
    GrantConstraints,
    check_constraints,
    check_grant_id,
    check_grant_token,
    check_operations,
    check_principal,
    new_grant_id,
    new_grant_token,
)
from ..domain.key_states import KeyUse
from ..domain.keys import KmsKey
from ..domain.scope import AccountRegion
from ..model import service_model
from .key_reference import find_key, key_owner
from .key_usage import answer_dry_run
from .paging import paginate
from .registry import Context, Params, Result, epoch, operation

__all__: list[str] = []

_API_OPERATION = {"ReEncryptFrom": "ReEncrypt", "ReEncryptTo": "ReEncrypt"}
"""Grant operations named otherwise than the API operation they allow."""


@functools.cache
def _context_operations() -> frozenset[str]:
    """The grant operations whose requests take an encryption context, from the model."""
    model = service_model()
    found = set()
    for grant_operation in model.shape_for("GrantOperation").enum:
        name = _API_OPERATION.get(grant_operation, grant_operation)
        if name not in model.operation_names:
            continue
        members = model.operation_model(name).input_shape.members
        if any(member.endswith("EncryptionContext") for member in members):
            found.add(grant_operation)
    return frozenset(found)


def _one_of(params: Params, first: str, second: str, *, required: bool) -> None:
    """Members of which a request may give one, not both (and, if ``required``, one)."""
    given = [name for name in (first, second) if params.get(name) is not None]
    if len(given) == 2:
        raise AwsError("ValidationException", f"Specify either {first} or {second}, not both.")
    if required and not given:
        raise AwsError("ValidationException", f"Specify either {first} or {second}.")


def _grant_entry(grant: Grant) -> Result:
    """A GrantListEntry."""
    entry: Result = {
        "KeyId": grant.key_arn,
        "GrantId": grant.id,
        "CreationDate": epoch(grant.created),
        "IssuingAccount": grant.issuing_account,
        "Operations": list(grant.operations),
    }
    optional = {
        "Name": grant.name,
        "GranteePrincipal": grant.grantee_principal,
        "GranteeServicePrincipal": grant.grantee_service_principal,
        "RetiringPrincipal": grant.retiring_principal,
        "RetiringServicePrincipal": grant.retiring_service_principal,
        "Constraints": None if grant.constraints is None else grant.constraints.as_params(),
    }
    entry.update((name, value) for name, value in optional.items() if value is not None)
    return entry


# -- CreateGrant ---------------------------------------------------------------------------


def _requested_grant(ctx: Context, params: Params, key: KmsKey) -> Grant:
    """The grant a CreateGrant request asks for, checked (its id and seq not yet given)."""
    spec, usage = key.key_spec, key.key_usage
    operations = list(params["Operations"])
    check_operations(operations, key.arn, spec, usage)
    constraints = GrantConstraints.from_params(params.get("Constraints"))
    if constraints is not None:
        check_constraints(constraints, operations, _context_operations(), spec, usage)
    if params.get("GranteeServicePrincipal") is not None:
        if constraints is None or constraints.source_arn is None:
            raise AwsError(
                "ValidationException",
                "A grant for a GranteeServicePrincipal must have a SourceArn grant constraint.",
            )
        if params.get("RetiringPrincipal") is None and (
            params.get("RetiringServicePrincipal") is None
        ):
            raise AwsError(
                "ValidationException",
                "A grant for a GranteeServicePrincipal must have a RetiringPrincipal or a "
                "RetiringServicePrincipal.",
            )
    return Grant(
        id="",
        key_id=key.id,
        key_arn=key.arn,
        seq=0,
        created=ctx.now,
        issuing_account=f"arn:aws:iam::{ctx.account_id}:root",
        operations=tuple(operations),
        grantee_principal=params.get("GranteePrincipal"),
        grantee_service_principal=params.get("GranteeServicePrincipal"),
        retiring_principal=params.get("RetiringPrincipal"),
        retiring_service_principal=params.get("RetiringServicePrincipal"),
        name=params.get("Name"),
        constraints=constraints,
    )


def _check_quotas(owner: AccountRegion, key: KmsKey, asked: Grant) -> None:
    """KMS's grant quotas: grants per key, and grants per key for one grantee."""
    if owner.grants.count(key.id) >= GRANTS_PER_KEY:
        raise AwsError(
            "LimitExceededException",
            f"The KMS key {key.arn} already has {GRANTS_PER_KEY} grants, the most it can have.",
        )
    grantee = (asked.grantee_principal, asked.grantee_service_principal)
    same = sum(
        1
        for grant in owner.grants.of_key(key.id)
        if (grant.grantee_principal, grant.grantee_service_principal) == grantee
    )
    if same >= GRANTEE_QUOTA:
        raise AwsError(
            "LimitExceededException",
            f"The KMS key {key.arn} already has {GRANTEE_QUOTA} grants for this grantee "
            "principal, the most it can have.",
        )


@operation("CreateGrant")
def create_grant(ctx: Context, params: Params) -> Result:
    """CreateGrant: a grant on a key, or the same grant again for a retry with its Name."""
    _one_of(params, "GranteePrincipal", "GranteeServicePrincipal", required=True)
    _one_of(params, "RetiringPrincipal", "RetiringServicePrincipal", required=False)
    for member in ("GranteePrincipal", "RetiringPrincipal"):
        if params.get(member) is not None:
            check_principal(member, params[member])
    key = find_key(ctx, params["KeyId"], KeyUse.CREATE_GRANT)
    asked = _requested_grant(ctx, params, key)
    owner = key_owner(ctx, key)
    retried = next((g for g in owner.grants.of_key(key.id) if g.same_request(asked)), None)
    if retried is None:
        _check_quotas(owner, key, asked)
    answer_dry_run(params)
    token = new_grant_token()
    if retried is not None:
        owner.grants.add_token(retried, token)
        return {"GrantToken": token, "GrantId": retried.id}
    grant = dataclasses.replace(asked, id=new_grant_id(), seq=owner.next_seq(), tokens=[token])
    owner.grants.add(grant)
    return {"GrantToken": token, "GrantId": grant.id}


# -- finding a grant -----------------------------------------------------------------------


def _grant_on_key(ctx: Context, key: KmsKey, grant_id: str) -> tuple[AccountRegion, Grant]:
    """The grant with this id on the key, with the scope that holds it, or NotFoundException."""
    owner = key_owner(ctx, key)
    grant = owner.grants.get(key.id, grant_id)
    if grant is None:
        raise AwsError("NotFoundException", f"Grant ID {grant_id} not found for key {key.arn}.")
    return owner, grant


def _grant_by_id(ctx: Context, params: Params) -> tuple[AccountRegion, Grant]:
    """The grant the request's KeyId and GrantId name, with the scope that holds it."""
    check_grant_id(params["GrantId"])
    key = find_key(ctx, params["KeyId"], KeyUse.MANAGE_GRANTS)
    return _grant_on_key(ctx, key, params["GrantId"])


def _delete(owner: AccountRegion, grant: Grant, params: Params) -> Result:
    """Retire or revoke ``grant``, unless the request is a dry run."""
    answer_dry_run(params)
    owner.grants.remove(grant)
    return {}


def _grant_by_token(ctx: Context, token: str) -> tuple[AccountRegion, Grant]:
    """The grant a token names, in any account of the caller's region, or NotFoundException."""
    for scope in ctx.kms.scopes.values():
        if scope.region == ctx.region:
            grant = scope.grants.by_token(token)
            if grant is not None:
                return scope, grant
    raise AwsError("NotFoundException", "The grant that the grant token names does not exist.")


@operation("RetireGrant")
def retire_grant(ctx: Context, params: Params) -> Result:
    """RetireGrant: delete a grant named by a grant token, or by KeyId and GrantId."""
    token = params.get("GrantToken")
    if token is not None:
        check_grant_token(token)
        owner, grant = _grant_by_token(ctx, token)
    else:
        if params.get("KeyId") is None or params.get("GrantId") is None:
            raise AwsError(
                "ValidationException",
                "Identify the grant to retire by its GrantToken, or by both KeyId and GrantId.",
            )
        owner, grant = _grant_by_id(ctx, params)
    return _delete(owner, grant, params)


@operation("RevokeGrant")
def revoke_grant(ctx: Context, params: Params) -> Result:
    """RevokeGrant: delete a grant named by KeyId and GrantId (never by a grant token)."""
    owner, grant = _grant_by_id(ctx, params)
    return _delete(owner, grant, params)


# -- listing -------------------------------------------------------------------------------


@operation("ListGrants")
def list_grants(ctx: Context, params: Params) -> Result:
    """ListGrants: the grants on a key, filtered by GrantId or grantee, paged."""
    key = find_key(ctx, params["KeyId"], KeyUse.MANAGE_GRANTS)
    grant_id = params.get("GrantId")
    if grant_id is not None:
        check_grant_id(grant_id)
    _one_of(params, "GranteePrincipal", "GranteeServicePrincipal", required=False)
    grantee = params.get("GranteePrincipal")
    service = params.get("GranteeServicePrincipal")
    grants = [
        grant
        for grant in key_owner(ctx, key).grants.of_key(key.id)
        if grant_id in (None, grant.id)
        and grantee in (None, grant.grantee_principal)
        and service in (None, grant.grantee_service_principal)
    ]
    page = paginate(
        ctx,
        params,
        grants,
        default_limit=50,
        max_limit=100,
        filters=(key.arn, grant_id, grantee, service),
    )
    return page.result("Grants", [_grant_entry(grant) for grant in page.items])


class _Retirable(NamedTuple):
    """A grant in a listing across accounts: ``seq`` orders it among every account's grants."""

    seq: int
    grant: Grant


def _retirable(scope: AccountRegion, grant: Grant) -> _Retirable:
    # A grant's seq is unique in its account and region; the twelve digits of the account
    # id make it unique across the accounts of a region, and never change.
    return _Retirable(grant.seq * 10**12 + int(scope.account_id), grant)


@operation("ListRetirableGrants")
def list_retirable_grants(ctx: Context, params: Params) -> Result:
    """ListRetirableGrants: every grant in the region with this retiring principal, paged."""
    _one_of(params, "RetiringPrincipal", "RetiringServicePrincipal", required=True)
    principal = params.get("RetiringPrincipal")
    service = params.get("RetiringServicePrincipal")
    if principal is not None:
        check_principal("RetiringPrincipal", principal)
    grants = sorted(
        (
            _retirable(scope, grant)
            for scope in ctx.kms.scopes.values()
            if scope.region == ctx.region
            for grant in scope.grants
            if (grant.retiring_principal, grant.retiring_service_principal) == (principal, service)
        ),
        key=lambda item: item.seq,
    )
    page = paginate(
        ctx, params, grants, default_limit=50, max_limit=100, filters=(principal, service)
    )
    return page.result("Grants", [_grant_entry(item.grant) for item in page.items])
