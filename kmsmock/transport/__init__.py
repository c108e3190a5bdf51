"""Transports: the ways KMS requests reach kmsmock, each a small adapter of one shape.

Every transport is a :class:`~kmsmock.transport.base.Transport`: started with
the pipeline of the active simulation, it turns each raw request it catches
into a neutral :class:`~kmsmock.protocol.messages.Request`, hands it to the
pipeline, and turns the neutral answer back into its own response type. A
transport knows nothing of the simulated KMS.
"""
