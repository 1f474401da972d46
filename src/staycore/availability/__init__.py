"""Availability: nightly inventory calendars, restrictions, holds and appointment slots.

* :mod:`~staycore.availability.nights`: night selections for bulk updates.
* :mod:`~staycore.availability.inventory`: nightly counts and what is available.
* :mod:`~staycore.availability.restrictions`: stop-sell, CTA, CTD, length of stay and
  lead time, checked with every violation reported.
* :mod:`~staycore.availability.holds` and :mod:`~staycore.availability.stay_holds`: the
  hold lifecycle and holds on a stay's nights.
* :mod:`~staycore.availability.blocks`: nights out of sale.
* :mod:`~staycore.availability.search`: which unit types of a portfolio can be booked,
  and why the others cannot.
* :mod:`~staycore.availability.stock`: add-on stock held and sold with an order, and
  the low-stock event.
* :mod:`~staycore.availability.schedule` and :mod:`~staycore.availability.appointments`:
  resources, working hours and the slots they offer.
* :mod:`~staycore.availability.resource_search`: which resources can take a party in a
  window of time, and why the others cannot.
* :mod:`~staycore.availability.external`: reconciling iCalendar feeds of other channels
  with blocks (parsing and writing feeds is :mod:`staycore.adapters.ical`).

The stores that keep calendars, slots and holds atomically are the ports
:class:`staycore.ports.inventory.InventoryStore` and
:class:`staycore.ports.appointments.AppointmentStore`.
"""
