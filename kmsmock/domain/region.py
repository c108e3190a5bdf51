"""Everything one AWS account holds in one region."""

from __future__ import annotations

from .errors import AwsError
from .keystore import CustomKeyStore

__all__ = ["RegionState"]


class RegionState:
    """The custom key stores (and, later, keys) of one account in one region.

    Items carry a sequence number in creation order, which paging markers use,
    so a page boundary survives deletions between pages.
    """

    def __init__(self, account_id: str, region: str) -> None:
        self.account_id = account_id
        self.region = region
        self.stores: dict[str, CustomKeyStore] = {}
        self._seq = 0

    def next_seq(self) -> int:
        """Return a sequence number greater than every one handed out before."""
        self._seq += 1
        return self._seq

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
        return 0
