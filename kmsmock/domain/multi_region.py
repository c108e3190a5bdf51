"""Multi-Region keys: related KMS keys in several Regions of one account, with one key id.

A multi-Region key is made as a primary key (CreateKey with MultiRegion) and
copied into other Regions by ReplicateKey. Related keys share their key id,
key spec, key usage, origin and key material (:class:`~.keys.RelatedKeys`):

- related keys whose material KMS generates share the one
  :class:`~.key_material.KeyMaterials` of the primary, so a rotation (which
  happens on the primary) applies to every related key; an asymmetric key's
  key pair is made when the key is first replicated, and copied;
- a replica of a key with imported material (Origin EXTERNAL) starts with
  none: the same material must be imported into it (its materials name the
  primary's, not imported, so only that material is accepted). The rules of
  imported material across related keys live in :mod:`.multi_region_material`.

Because a ciphertext blob names the key's ARN, and related keys' ARNs differ
only in their Region, :func:`same_key` tells whether a blob made in another
Region is one this key decrypts.
"""

from __future__ import annotations

from .aws_error import AwsError
from .key_material import KeyMaterials, unimported_copy
from .key_pairs import generate_private_key
from .key_specs import HMAC_KEY_BYTES, SYMMETRIC_DEFAULT
from .keys import KmsKey, RelatedKeys, default_policy

__all__ = [
    "MultiRegionConfiguration",
    "check_replicable",
    "configuration",
    "primary_of",
    "related_arn",
    "relink",
    "removed",
    "replicate",
    "same_key",
    "swap_primary",
]

MultiRegionConfiguration = tuple[str, tuple[str, str], tuple[tuple[str, str], ...]]
"""What KeyMetadata shows: the key type, the primary's (ARN, Region), each replica's."""


def related_arn(key: KmsKey, region: str) -> str:
    """The ARN of the key related to ``key`` in ``region``."""
    return f"arn:aws:kms:{region}:{key.account_id}:key/{key.id}"


def same_key(key: KmsKey, arn: str) -> bool:
    """Whether ``arn`` names ``key`` or, for a multi-Region key, a key related to it.

    A related key in any Region counts, even one deleted since: its
    ciphertext is still the related keys' to decrypt.
    """
    if arn == key.arn:
        return True
    if key.related is None:
        return False
    region = arn.split(":")[3] if arn.count(":") == 5 else ""
    return arn == related_arn(key, region)


def configuration(key: KmsKey) -> MultiRegionConfiguration | None:
    """The key's MultiRegionConfiguration, as a value (None for a single-Region key)."""
    related = key.related
    if related is None:
        return None
    primary = related.primary_region
    return (
        "PRIMARY" if key.region == primary else "REPLICA",
        (related_arn(key, primary), primary),
        tuple((related_arn(key, r), r) for r in related.regions if r != primary),
    )


def primary_of(key: KmsKey, operation: str) -> None:
    """Refuse an operation that only a multi-Region primary key (or a single-Region key) takes."""
    if key.related is not None and key.related.primary_region != key.region:
        raise AwsError(
            "UnsupportedOperationException",
            f"{key.arn} is a multi-Region replica key. {operation} is valid only on its "
            f"primary key, {related_arn(key, key.related.primary_region)}.",
        )


def check_replicable(primary: KmsKey, region: str) -> RelatedKeys:
    """The related keys ``primary`` belongs to, if it may be replicated into ``region``."""
    related = primary.related
    if related is None or related.primary_region != primary.region:
        # AWS's recorded answer, for a replica (and, in the same words, a single-Region key)
        raise AwsError(
            "UnsupportedOperationException", f"{primary.arn} is not a multi-region primary key."
        )
    if region == primary.region:
        raise AwsError(
            "UnsupportedOperationException",
            f"ReplicaRegion {region} is the Region of the primary key {primary.arn}. A replica "
            "must be in a different Region.",
        )
    if region in related.regions:
        raise AwsError(
            "AlreadyExistsException",
            f"A replica of {primary.arn} already exists in {region}: "
            f"{related_arn(primary, region)}.",
        )
    return related


def _replica_materials(primary: KmsKey) -> KeyMaterials:
    """A replica's key materials: the primary's own, or (imported) every material the
    primary lists, pending rotation included, none imported yet (see
    :mod:`.multi_region_material`)."""
    if primary.origin != "EXTERNAL":
        return primary.materials
    return KeyMaterials(items=[unimported_copy(m) for m in primary.materials.items])


def replicate(
    primary: KmsKey,
    region: str,
    *,
    seq: int,
    now: float,
    description: str,
    policy: str | None,
    tags: dict[str, str],
) -> KmsKey:
    """A new replica of ``primary`` in ``region`` (it is checked here; nothing changes if
    refused). The replica is complete at once: Enabled, or PendingImport."""
    related = check_replicable(primary, region)
    generated_pair = primary.key_spec != SYMMETRIC_DEFAULT and primary.key_spec not in (
        HMAC_KEY_BYTES
    )
    if generated_pair and primary.origin == "AWS_KMS" and primary.private_key is None:
        primary.private_key = generate_private_key(primary.key_spec)
    related.regions.append(region)
    return KmsKey(
        id=primary.id,
        arn=related_arn(primary, region),
        account_id=primary.account_id,
        region=region,
        seq=seq,
        created=now,
        origin=primary.origin,
        policy=policy if policy is not None else default_policy(primary.account_id),
        materials=_replica_materials(primary),
        description=description,
        tags=dict(tags),
        key_spec=primary.key_spec,
        key_usage=primary.key_usage,
        private_key=primary.private_key if primary.origin == "AWS_KMS" else None,
        related=related,
    )


def swap_primary(primary: KmsKey, replica: KmsKey) -> None:
    """UpdatePrimaryRegion: ``replica`` becomes the primary key, and ``primary`` a replica.

    Automatic rotation, a shared property set on the primary, moves with it.
    """
    assert primary.related is not None and primary.related is replica.related
    primary.related.primary_region = replica.region
    replica.next_rotation, primary.next_rotation = primary.next_rotation, None
    replica.rotation_period_days, primary.rotation_period_days = (
        primary.rotation_period_days,
        None,
    )


def removed(key: KmsKey) -> bool:
    """A related key was deleted for good: it leaves its set of related keys.

    True if that leaves the primary key alone while its deletion waits for its
    replicas (PendingReplicaDeletion): its waiting period starts now.
    """
    related = key.related
    if related is None:
        return False
    related.regions.remove(key.region)
    return related.regions == [related.primary_region] and key.region != related.primary_region


def relink(keys: list[KmsKey], primary_region: str, regions: list[str]) -> None:
    """Make restored related keys one set again: shared :class:`RelatedKeys`, and the
    primary's materials where KMS generated them (see :mod:`kmsmock.server.persistence`)."""
    related = RelatedKeys(primary_region, list(regions))
    primary = next((key for key in keys if key.region == primary_region), keys[0])
    for key in keys:
        key.related = related
        if key.origin != "EXTERNAL":
            key.materials = primary.materials
