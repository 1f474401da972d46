"""``staycore demo``: the library's story, then a year at a homestay.

Two parts, each runnable on its own:

* :mod:`staycore.demo.story`, the chapters (:func:`run_demo`): money split without
  losing a cent, a stay across a daylight-saving change, a lifecycle declared as a
  table, availability that explains its refusals, a quote that explains every cent, an
  order with a deposit, a balance and a cancellation, and loyalty points over stays;
* :mod:`staycore.demo.year` and its helpers (:func:`run_year`): a homestay with three
  room types and a spa (:mod:`~staycore.demo.homestay`), guests drawn from a seed
  (:mod:`~staycore.demo.guests`), a year of bookings run day by day through the real use
  cases (:mod:`~staycore.demo.year`), and the tables it ends with: KPIs, RFM segments,
  the churn watch list, loyalty and payments (:mod:`~staycore.demo.report`).

Example:
    >>> import io
    >>> from staycore.demo import run_demo
    >>> out = io.StringIO()
    >>> run_demo(out)
    >>> "deposit + balance = TWD 10001.00" in out.getvalue()
    True
"""

from staycore.demo.report import YearReport, run_year
from staycore.demo.story import BOOKING_LIFECYCLE, BookingState, nothing_due, run_demo

__all__ = [
    "BOOKING_LIFECYCLE",
    "BookingState",
    "YearReport",
    "nothing_due",
    "run_demo",
    "run_year",
]
