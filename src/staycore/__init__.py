"""staycore: booking and guest-relationship logic for homestays, hotels and service shops.

:func:`staycore.bootstrap` builds the application: every use case over one storage (see
:mod:`staycore.application`). The packages are the business contexts (:mod:`staycore.availability`,
:mod:`staycore.pricing`, :mod:`staycore.orders`, :mod:`staycore.membership`) over a shared
:mod:`staycore.kernel`; :mod:`staycore.ports` declares what a host plugs in and
:mod:`staycore.adapters` ships reference implementations.

Example:
    >>> import staycore
    >>> staycore.__version__
    '0.1.0'
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("staycore")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"

from staycore.application import Application, bootstrap

__all__ = ["Application", "__version__", "bootstrap"]
