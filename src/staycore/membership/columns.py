"""Read-only numpy columns, for the frozen values that carry a customer base in columns.

Summaries, RFM scores and scored customers are frozen attrs values whose fields are
numpy arrays, one row per customer: :func:`read_only` keeps a column from changing under
the value that holds it, and :data:`ARRAY_EQ` compares two such values column by column.
Needs numpy (the ``analytics`` extra).

Example:
    >>> import numpy as np
    >>> from staycore.membership.columns import read_only
    >>> column = read_only([1, 2, 3])
    >>> column.flags.writeable
    False
"""

from __future__ import annotations

from typing import Any, Final

import attrs
import numpy as np
import numpy.typing as npt

__all__ = ["ARRAY_EQ", "read_only"]

ARRAY_EQ: Final = attrs.cmp_using(eq=np.array_equal)
"""The equality of two frozen values' array fields: same shape, same elements."""


def read_only(values: npt.ArrayLike) -> npt.NDArray[Any]:
    """A read-only view of ``values``, leaving the caller's own array writable.

    Example:
        >>> import numpy as np
        >>> from staycore.membership.columns import read_only
        >>> mine = np.array([1.0, 2.0])
        >>> _ = read_only(mine)
        >>> mine.flags.writeable
        True
    """
    array = np.asarray(values).view()
    array.flags.writeable = False
    return array
