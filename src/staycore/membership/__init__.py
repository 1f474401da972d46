"""Membership: what staycore knows about a customer across bookings.

* :mod:`~staycore.membership.profiles` and :mod:`~staycore.membership.tags`: who the
  guest is (personal data marked), what they agreed to, and the tags rules give them.
* :mod:`~staycore.membership.history`: the stays everything else is measured by.
* :mod:`~staycore.membership.points` and :mod:`~staycore.membership.earning`: the
  append-only points ledger and how points are earned.
* :mod:`~staycore.membership.tiers` and :mod:`~staycore.membership.members`: tiers as
  data, and each member's standing.
* :mod:`~staycore.membership.triggers`: the touches due on a day, without a scheduler.
* :mod:`~staycore.membership.programme`: a whole loyalty programme as one document.
* :mod:`~staycore.membership.service`: service requests and complaints, with deadlines.

The use cases are :mod:`staycore.app.loyalty` and :mod:`staycore.app.service_desk`.
RFM, churn and lifetime value arrive with the analytics issue.
"""
