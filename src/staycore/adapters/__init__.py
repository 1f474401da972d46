"""Adapters: implementations of the ports in :mod:`staycore.ports`.

Each subpackage plugs one kind of infrastructure in:

* :mod:`staycore.adapters.memory`: everything in process memory. It is the reference
  adapter: the contract suites in :mod:`staycore.testing.contracts` were written against
  it, and it serves tests, demos and single-process tools.
* :mod:`staycore.adapters.payments`: the sandbox payment gateway, with test cards,
  signed webhooks and failure injection, for development and tests.
* :mod:`staycore.adapters.ical`: iCalendar feeds in and out (the ``ical`` extra).

Adapters import ports and domain packages; nothing in the domain imports an adapter.

Example:
    >>> from staycore.adapters.memory import MemoryStore
    >>> MemoryStore().outbox()
    ()
"""
