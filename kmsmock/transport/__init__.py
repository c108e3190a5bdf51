"""Thin adapters that bring requests to the one dispatch (:mod:`kmsmock.dispatch`).

A transport that has a raw request hands it to ``serve``; the botocore hook,
which knows the operation and the caller already, hands the body to ``answer``.
"""
