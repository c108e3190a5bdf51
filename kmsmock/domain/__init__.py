"""The simulated KMS: plain Python that knows nothing of HTTP or of botocore.

Custom key stores and their connection state machine live here, with the
clock and the per-account, per-region containers that scope every resource.
"""
