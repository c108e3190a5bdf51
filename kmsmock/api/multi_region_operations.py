"""Multi-Region keys: ReplicateKey and UpdatePrimaryRegion.

The rules of related keys live in :mod:`kmsmock.domain.multi_region`; a
replica is complete when ReplicateKey answers (kmsmock does not simulate the
transient Creating and Updating key states).
"""

from __future__ import annotations

from ..domain import multi_region
from ..domain.aws_error import AwsError
from ..domain.key_states import KeyUse
from ..domain.keys import KmsKey
from ..model import kms_regions
from .key_operations import check_policy, key_metadata, key_view
from .key_reference import find_key
from .registry import Context, Params, Result, operation
from .tag_operations import checked_tags, tag_list

__all__: list[str] = []


def _check_region(ctx: Context, member: str, region: str) -> None:
    """Refuse a Region that is not a KMS Region of the caller's partition."""
    regions = kms_regions(ctx.region)
    if not regions or region in regions:
        return  # known, or the caller's own Region is one botocore does not know
    message = f"{member} {region} is not a KMS Region in the partition of {ctx.region}."
    raise AwsError("UnsupportedOperationException", message)


@operation("ReplicateKey")
def replicate_key(ctx: Context, params: Params) -> Result:
    """ReplicateKey: a replica of a multi-Region primary key in another Region.

    Same key id, key spec, usage, origin and key material; its own policy,
    description and tags (defaults: the default key policy, none). The
    answer has ReplicaTags only if the replica has tags.
    """
    primary = find_key(ctx, params["KeyId"], KeyUse.REPLICATE)
    region = params["ReplicaRegion"]
    _check_region(ctx, "ReplicaRegion", region)
    policy = params.get("Policy")
    if policy is not None:
        check_policy(policy)
    tags = checked_tags(params["Tags"]) if "Tags" in params else {}
    multi_region.check_replicable(primary, region)  # before the replica's Region is touched
    scope = ctx.kms.scope(primary.account_id, region)
    replica = multi_region.replicate(
        primary,
        region,
        seq=scope.next_seq(),
        now=ctx.now,
        description=params.get("Description", ""),
        policy=policy,
        tags=tags,
    )
    scope.add_key(replica)
    result: Result = {
        "ReplicaKeyMetadata": key_metadata(key_view(replica)),
        "ReplicaPolicy": replica.policy,
    }
    if replica.tags:  # AWS leaves ReplicaTags out when the replica has no tags
        result["ReplicaTags"] = tag_list(replica)
    return result


def _replica_in(ctx: Context, primary: KmsKey, region: str) -> KmsKey:
    """The replica of ``primary`` in ``region`` that UpdatePrimaryRegion makes the primary."""
    if primary.related is None:
        raise AwsError(
            "UnsupportedOperationException",
            f"{primary.arn} is not a multi-Region key.",
        )
    multi_region.primary_of(primary, "UpdatePrimaryRegion")
    if region == primary.region:
        raise AwsError(
            "UnsupportedOperationException",
            f"{primary.arn} is already the primary key in {region}.",
        )
    replica = ctx.kms.peek(primary.account_id, region).keys.get(primary.id)
    if replica is None:
        raise AwsError(
            "NotFoundException",
            f"Key '{multi_region.related_arn(primary, region)}' does not exist",
        )
    replica.check_use(KeyUse.REPLICATE)
    return replica


@operation("UpdatePrimaryRegion")
def update_primary_region(ctx: Context, params: Params) -> Result:
    """UpdatePrimaryRegion: the replica in PrimaryRegion becomes the primary key."""
    primary = find_key(ctx, params["KeyId"], KeyUse.REPLICATE)
    region = params["PrimaryRegion"]
    _check_region(ctx, "PrimaryRegion", region)
    replica = _replica_in(ctx, primary, region)
    multi_region.swap_primary(primary, replica)
    if replica.next_rotation is not None:
        ctx.kms.schedule_rotation(ctx.kms.scope(replica.account_id, region), replica)
    return {}
