"""Use cases: the commands a host application calls, wired over the ports.

Filled in as each context lands; use cases reach storage, payments and messaging only
through :mod:`staycore.ports`.
"""
