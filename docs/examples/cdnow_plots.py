"""The CDNOW plots of the analytics page, drawn while the docs build.

P(alive) over the calibration period's customers, and the repeat purchases each
calibration frequency made in the 39-week holdout against what BG/NBD expected.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from staycore.membership.lifetime import BetaGeo
from staycore.membership.summaries import summarize_holdout

# The plot directive runs this with the working directory set to this folder.
SAMPLE = Path("../../tests/data/cdnow/CDNOW_sample.txt")

customers, dates, amounts = [], [], []
for line in SAMPLE.read_text().splitlines():
    _, customer, day, _, amount = line.split()
    customers.append(customer)
    dates.append(dt.date(int(day[:4]), int(day[4:6]), int(day[6:])))
    amounts.append(float(amount))
holdout = summarize_holdout(
    customers,
    dates,
    amounts,
    calibration_end=dt.date(1997, 9, 30),
    observation_end=dt.date(1998, 6, 30),
)
c = holdout.calibration
frequency = c.frequency.astype(float)
model = BetaGeo.fit(frequency, c.recency, c.T)
alive = model.p_alive(frequency, c.recency, c.T)
expected = model.expected_purchases(39, frequency, c.recency, c.T)

figure, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8))
left.hist(alive, bins=20, color="#4c72b0")
left.set_title("P(alive) at the end of calibration")
left.set_xlabel("P(alive)")
left.set_ylabel("customers")
groups = np.minimum(c.frequency, 7)
labels = [str(n) if n < 7 else "7+" for n in range(8)]
actual = [holdout.frequency[groups == n].mean() for n in range(8)]
model_mean = [expected[groups == n].mean() for n in range(8)]
right.plot(labels, actual, "o-", label="actual")
right.plot(labels, model_mean, "s--", label="BG/NBD expected")
right.set_title("Holdout repeat purchases (39 weeks)")
right.set_xlabel("repeat purchases in calibration")
right.set_ylabel("mean per customer")
right.legend()
figure.tight_layout()
