"""Finding the key a KeyId names: a key id, a key ARN, an alias name or an alias ARN.

Which of these an operation accepts, and whether it accepts another
account's key ARN, follows the operation's reference text (see
:func:`kmsmock.protocol.model.key_reference_rules`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

from .aws_error import AwsError
from .keys import KmsKey
from .scope import AccountRegion

__all__ = ["KeyArn", "KeyLookup", "parse_key_arn"]

_KEY_ID = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32}"
)
_ARN = re.compile(r"arn:aws[a-z-]*:kms:([a-z0-9-]+):([0-9]{12}):(key|alias)/(.+)")


@dataclass(frozen=True, slots=True)
class KeyArn:
    """The parts of a KMS key or alias ARN."""

    region: str
    account_id: str
    kind: str
    """``"key"`` or ``"alias"``."""
    name: str
    """The key id, or the alias name without ``alias/``."""


@functools.lru_cache(maxsize=1024)
def parse_key_arn(text: str) -> KeyArn | None:
    """The parts of a KMS key or alias ARN, or None if ``text`` is not one."""
    match = _ARN.fullmatch(text)
    if match is None:
        return None
    region, account_id, kind, name = match.groups()
    return KeyArn(region=region, account_id=account_id, kind=kind, name=name)


@dataclass(frozen=True, slots=True)
class KeyLookup:
    """How an operation finds the key a KeyId names.

    ``aliases``: the operation accepts alias names and alias ARNs.
    ``cross_account``: it accepts a key ARN in another account.
    ``invalid_arn_code``: the error it raises for an ARN it cannot use.
    """

    aliases: bool
    cross_account: bool
    invalid_arn_code: str

    def find(
        self, caller: AccountRegion, ref: str, scope_of: Callable[[str, str], AccountRegion]
    ) -> KmsKey:
        """The key ``ref`` names for ``caller``, or the NotFoundException AWS answers.

        ``scope_of(account_id, region)`` gives another account's keys.
        """
        key = caller.keys.get(ref)
        if key is not None:  # the usual case: a key id of the caller's own
            return key
        if ref.startswith("arn:"):
            arn = parse_key_arn(ref)
            if arn is None:
                raise AwsError(self.invalid_arn_code, f"Invalid arn {ref}")
            if arn.region != caller.region:
                raise AwsError("NotFoundException", f"Invalid arn {arn.region}")
            if arn.kind == "alias":
                if arn.account_id != caller.account_id:
                    raise _alias_not_found(ref)
                return self._by_alias(caller, f"alias/{arn.name}")
            if arn.account_id == caller.account_id:
                return _by_id(caller, arn.name)
            if not self.cross_account:
                raise AwsError("NotFoundException", f"Key '{ref}' does not exist")
            return _by_id(scope_of(arn.account_id, arn.region), arn.name)
        if ref.startswith("alias/"):
            return self._by_alias(caller, ref)
        return _by_id(caller, ref)

    def _by_alias(self, scope: AccountRegion, name: str) -> KmsKey:
        if not self.aliases:
            raise AwsError(
                self.invalid_arn_code, "Key Aliases are not supported for this operation."
            )
        alias = scope.aliases.get(name)
        if alias is None or alias.target_key_id not in scope.keys:
            raise _alias_not_found(scope.arn(name))
        return scope.keys[alias.target_key_id]


def _alias_not_found(arn: str) -> AwsError:
    return AwsError("NotFoundException", f"Alias {arn} is not found.")


def _by_id(scope: AccountRegion, key_id: str) -> KmsKey:
    key = scope.keys.get(key_id)
    if key is not None:
        return key
    if _KEY_ID.fullmatch(key_id) is None:
        raise AwsError("NotFoundException", f"Invalid keyId '{key_id}'")
    raise AwsError("NotFoundException", f"Key '{scope.arn('key/' + key_id)}' does not exist")
