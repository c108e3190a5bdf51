"""Paging markers that only kmsmock could have issued, bound to one listing."""

from __future__ import annotations

import base64
import binascii
import hmac
import os
from bisect import bisect_left
from collections.abc import Sequence
from typing import Any, Generic, NamedTuple, Protocol, TypeVar

from ..domain.aws_error import AwsError
from .registry import Context, Params

__all__ = ["Page", "paginate"]

_KEY = os.urandom(32)


class _Sequenced(Protocol):
    @property
    def seq(self) -> int:
        """The item's place in creation order."""
        ...


T = TypeVar("T", bound=_Sequenced)
Item = TypeVar("Item")


def _sign(scope: str, seq: int) -> str:
    return hmac.digest(_KEY, f"{scope}\n{seq}".encode(), "sha256").hex()[:24]


def _issue(scope: str, seq: int) -> str:
    return base64.urlsafe_b64encode(f"{seq}:{_sign(scope, seq)}".encode()).decode()


def _read(scope: str, marker: str) -> int:
    try:
        seq_text, signature = base64.urlsafe_b64decode(marker.encode()).decode().split(":")
        seq = int(seq_text)
    except (ValueError, binascii.Error, UnicodeError):
        seq, signature = 0, ""
    if not hmac.compare_digest(signature, _sign(scope, seq)):
        raise AwsError(
            "InvalidMarkerException",
            "The marker is not valid. Use the NextMarker value of the previous response.",
        )
    return seq


class Page(NamedTuple, Generic[Item]):
    """A page of a listing, and the marker of the next page (None on the last)."""

    items: tuple[Item, ...]
    next_marker: str | None

    def result(self, member: str, entries: Any) -> dict[str, Any]:
        """A listing answer: ``entries`` under ``member``, with Truncated and NextMarker."""
        answer: dict[str, Any] = {member: entries, "Truncated": self.next_marker is not None}
        if self.next_marker is not None:
            answer["NextMarker"] = self.next_marker
        return answer


def _scope(ctx: Context, filters: tuple[object, ...]) -> str:
    """What a marker is bound to: the listing's operation, account, region and filters."""
    return "\n".join([ctx.operation, ctx.account_id, ctx.region, *map(str, filters)])


def paginate(
    ctx: Context,
    params: Params,
    items: Sequence[T],
    *,
    default_limit: int,
    max_limit: int | None = None,
    filters: tuple[object, ...] = (),
) -> Page[T]:
    """Cut the page the request's ``Limit`` and ``Marker`` ask for from ``items`` (in seq order).

    A marker is bound to its listing (the operation, account, region and
    ``filters``), so a marker from one listing is refused by another.
    ``max_limit`` is a limit the reference text sets below the model's.
    """
    limit = params.get("Limit")
    if limit is not None and max_limit is not None and limit > max_limit:
        raise AwsError(
            "ValidationException",
            f"1 validation error detected: Value '{limit}' at 'limit' failed to satisfy "
            f"constraint: Member must have value less than or equal to {max_limit}",
        )
    marker = params.get("Marker")
    start = 0
    if marker is not None:
        start = bisect_left(items, _read(_scope(ctx, filters), marker), key=lambda i: i.seq)
    stop = start + (default_limit if limit is None else limit)
    next_marker = _issue(_scope(ctx, filters), items[stop].seq) if stop < len(items) else None
    return Page(items=tuple(items[start:stop]), next_marker=next_marker)
