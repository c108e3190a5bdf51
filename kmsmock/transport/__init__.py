"""Thin adapters that bring requests to :func:`kmsmock.dispatch.serve`."""
