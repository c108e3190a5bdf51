"""The Regions the multi-Region tests use (their fixtures, ``west`` and ``frozen_now``, are in
tests/conftest.py)."""

EAST, WEST = "us-east-1", "us-west-2"
