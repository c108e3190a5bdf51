"""The one exception type the simulated KMS raises for a request AWS rejects."""

from __future__ import annotations

__all__ = ["AwsError"]


class AwsError(Exception):
    """A request rejected the way AWS rejects it: an AWS error code and its message.

    The domain names the error by AWS's code (for example
    ``CustomKeyStoreNotFoundException``); the protocol layer turns it into a
    JSON 1.1 error with the HTTP status that botocore's model gives that code.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
