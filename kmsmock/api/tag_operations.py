"""Tags on KMS keys: TagResource, UntagResource, ListResourceTags."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

from ..domain.aws_error import AwsError
from ..domain.key_states import KeyUse
from ..domain.keys import KmsKey
from .key_reference import find_key
from .paging import paginate
from .registry import Context, Params, Result, operation

__all__ = ["MAX_TAGS", "check_tag_keys", "checked_tags", "tag_list"]

MAX_TAGS: Final = 50
"""KMS quota: tags per KMS key."""


def check_tag_keys(keys: Iterable[str]) -> None:
    """Refuse tag keys in AWS's reserved ``aws:`` namespace."""
    for key in keys:
        if key.lower().startswith("aws:"):
            raise AwsError("TagException", "Tags beginning with aws: are reserved")


def checked_tags(
    tags: list[dict[str, Any]], existing: dict[str, str] | None = None
) -> dict[str, str]:
    """The key's tags after adding ``tags`` (a TagList), or the TagException AWS answers."""
    if not tags:
        return dict(existing or {})
    keys = [tag["TagKey"] for tag in tags]
    check_tag_keys(keys)
    if len(set(keys)) != len(keys):
        raise AwsError("TagException", "Duplicate tag keys")
    merged = dict(existing or {})
    merged.update((tag["TagKey"], tag["TagValue"]) for tag in tags)
    if len(merged) > MAX_TAGS:
        raise AwsError("TagException", "Too many tags")
    return merged


def tag_list(key: KmsKey) -> list[dict[str, str]]:
    """The key's tags as a TagList."""
    return [{"TagKey": name, "TagValue": value} for name, value in key.tags.items()]


@operation("TagResource")
def tag_resource(ctx: Context, params: Params) -> Result:
    """TagResource: add or replace tags on a key."""
    key = find_key(ctx, params["KeyId"], KeyUse.MODIFY)
    key.tags = checked_tags(params["Tags"], key.tags)
    return {}


@operation("UntagResource")
def untag_resource(ctx: Context, params: Params) -> Result:
    """UntagResource: remove tags from a key."""
    key = find_key(ctx, params["KeyId"], KeyUse.MODIFY)
    check_tag_keys(params["TagKeys"])
    for name in params["TagKeys"]:
        key.tags.pop(name, None)
    return {}


class _Tag:
    __slots__ = ("seq", "tag")

    def __init__(self, seq: int, tag: dict[str, str]) -> None:
        self.seq = seq
        self.tag = tag


@operation("ListResourceTags")
def list_resource_tags(ctx: Context, params: Params) -> Result:
    """ListResourceTags: the key's tags, paged."""
    key = find_key(ctx, params["KeyId"], KeyUse.READ)
    tags = [_Tag(n, tag) for n, tag in enumerate(tag_list(key))]
    page = paginate(
        ctx, params, tags, default_limit=MAX_TAGS, max_limit=MAX_TAGS, filters=(key.arn,)
    )
    return page.result("Tags", [item.tag for item in page.items])
