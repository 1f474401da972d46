"""Use cases: the commands a host application calls, wired over the ports.

Use cases reach storage, payments and messaging only through :mod:`staycore.ports`, so
the same calls run on the memory adapter in a test and on a database in production.

* :mod:`~staycore.app.availability`: nightly calendars, restrictions, holds on nights,
  search kept in step with every change, and channel feeds.
* :mod:`~staycore.app.appointments`: free slots, which resources can take a party, and
  holds on slots.
* :mod:`~staycore.app.order_holds`: an order's nights, slots and add-on stock, held,
  confirmed and released together.
* :mod:`~staycore.app.pricing`: quotes with the coupon codes a guest typed, and their
  redemption with the order, all or none.
* :mod:`~staycore.app.orders`: booking from a quote, approval, payment through the
  gateway, cancellation and changes with refunds, the stay, and the sweeper.
* :mod:`~staycore.app.reviews`: one review per stay after check-out, and the host's answer.
* :mod:`~staycore.app.analytics`: the KPIs of a period, the churn watch list and the RFM
  segments, from what the stores hold.
* :mod:`~staycore.app.configuration`: the configuration an application runs under
  (permissions, the loyalty programme, the service policy, pricing rule sets) recorded
  in the audit log whenever it changes.
* :mod:`~staycore.app.arguments`: the check every use case makes of its arguments'
  types before it reads, holds or writes anything (``app.invalid_argument``).

Each context adds its module as it lands.
"""
