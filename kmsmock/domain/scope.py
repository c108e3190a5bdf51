"""Everything one AWS account holds in one region."""

from __future__ import annotations

from bisect import bisect_left

from .aws_error import AwsError
from .grants import GrantBook
from .keys import Alias, KmsKey
from .stores import CustomKeyStore

__all__ = ["AccountRegion"]


class AccountRegion:
    """The custom key stores, KMS keys, aliases and grants of one account in one region.

    Items carry a sequence number in creation order, which paging markers use,
    so a page boundary survives deletions between pages. ``key_list`` keeps
    the keys in that order so a page is found by bisection, whatever the
    number of keys.
    """

    def __init__(self, account_id: str, region: str) -> None:
        self.account_id = account_id
        self.region = region
        self.stores: dict[str, CustomKeyStore] = {}
        self.keys: dict[str, KmsKey] = {}
        self.key_list: list[KmsKey] = []
        self.aliases: dict[str, Alias] = {}
        self.grants = GrantBook()
        """The grants on this account's keys in this region."""
        self._store_keys: dict[str, int] = {}
        self._external_keys: dict[tuple[str, str], str] = {}
        self.last_seq = 0
        """The last sequence number handed out (so the next is greater)."""

    def __repr__(self) -> str:
        return f"<AccountRegion {self.account_id} {self.region}>"

    def next_seq(self) -> int:
        """Return a sequence number greater than every one handed out before."""
        self.last_seq += 1
        return self.last_seq

    def arn(self, resource: str) -> str:
        """The ARN of a KMS resource (``key/<id>`` or ``alias/<name>``) here."""
        return f"arn:aws:kms:{self.region}:{self.account_id}:{resource}"

    # -- custom key stores ------------------------------------------------------------

    def store(self, store_id: str) -> CustomKeyStore:
        """Return the store with this id, or raise CustomKeyStoreNotFoundException."""
        found = self.stores.get(store_id)
        if found is None:
            raise AwsError(
                "CustomKeyStoreNotFoundException",
                f"Custom key store with ID '{store_id}' does not exist in account "
                f"{self.account_id} in region {self.region}.",
            )
        return found

    def keys_in_store(self, store_id: str) -> int:
        """How many KMS keys, in any key state, live in the store."""
        return self._store_keys.get(store_id, 0)

    def key_for_external_key(self, store_id: str, xks_key_id: str) -> str | None:
        """The id of the KMS key the external key backs in this store, if any."""
        return self._external_keys.get((store_id, xks_key_id))

    # -- keys -------------------------------------------------------------------------

    def add_key(self, key: KmsKey) -> None:
        """Add a new key (its seq is the highest so far)."""
        self.keys[key.id] = key
        self.key_list.append(key)
        if key.store is not None:
            self._store_keys[key.store.id] = self._store_keys.get(key.store.id, 0) + 1
            if key.xks_key_id is not None:
                self._external_keys[(key.store.id, key.xks_key_id)] = key.id

    def remove_key(self, key: KmsKey) -> None:
        """Delete a key for good, with the aliases that point to it and its grants."""
        del self.keys[key.id]
        self.grants.drop_key(key.id)
        index = bisect_left(self.key_list, key.seq, key=lambda k: k.seq)
        del self.key_list[index]
        if key.store is not None:
            self._store_keys[key.store.id] -= 1
            if key.xks_key_id is not None:
                self._external_keys.pop((key.store.id, key.xks_key_id), None)
        for name in [n for n, alias in self.aliases.items() if alias.target_key_id == key.id]:
            del self.aliases[name]
