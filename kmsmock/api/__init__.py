"""The KMS operations: each declared once, mapping parameters to the domain and back.

Importing :mod:`kmsmock.api.operations` registers every implemented operation
in :data:`kmsmock.api.registry.HANDLERS`.
"""
