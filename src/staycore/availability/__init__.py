"""Availability: nightly inventory calendars, restrictions, holds and appointment slots.

* :mod:`~staycore.availability.nights`: night selections for bulk updates.
* :mod:`~staycore.availability.inventory`: nightly counts and what is available.
* :mod:`~staycore.availability.restrictions`: stop-sell, CTA, CTD, length of stay and
  lead time, checked with every violation reported.
* :mod:`~staycore.availability.holds` and :mod:`~staycore.availability.stay_holds`: the
  hold lifecycle and holds on a stay's nights.
* :mod:`~staycore.availability.blocks`: nights out of sale.

The store that keeps calendars and holds atomically is the port
:class:`staycore.ports.inventory.InventoryStore`.
"""
