"""Run every example in the documentation as a test, with Sybil.

Three sources are collected, each by its own :class:`sybil.Sybil`:

* ``docs/**/*.rst``: ``>>>`` doctests and ``.. code-block:: python`` blocks;
* docstrings in ``src/**/*.py``: the ``>>>`` examples of Google-style ``Example:``
  sections (the module's own names are in scope, as in a doctest of the module);
* ``README.md``: fenced ```` ```python ```` blocks (plain code or ``>>>`` doctests).

Examples in one file share one namespace and run in file order, so a later example may
continue an earlier one ("Continuing the module example above"). Doctests compare with
``ELLIPSIS`` and ``NORMALIZE_WHITESPACE``: an expected traceback ends its error line with
``...`` instead of repeating the whole message. A block that must not run is preceded
by ``.. skip: next`` (reST) or ``<!-- skip: next -->`` (Markdown).

pytest's own doctest plugin is disabled in ``pyproject.toml`` (``-p no:doctest``) so
that nothing is collected twice.
"""

from __future__ import annotations

import os
from doctest import ELLIPSIS, NORMALIZE_WHITESPACE

import pytest

# Before anything imports the suites, so that their failures show pytest's detail.
pytest.register_assert_rewrite("staycore.testing.contracts")

# The SQL adapter's tests take `database` (SQLite, then PostgreSQL) and `second_server`.
pytest_plugins = ["staycore.testing.databases"]

from hypothesis import settings  # noqa: E402
from sybil import Sybil  # noqa: E402
from sybil.parsers import markdown, rest  # noqa: E402
from sybil.sybil import SybilCollection  # noqa: E402
from sybil.typing import Parser  # noqa: E402

# Hypothesis profiles, for the tests and the documentation examples alike: `ci` is
# derandomized so that a CI run is reproducible, and prints the blob to replay a failure.
settings.register_profile("default", deadline=None)
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

DOCTEST_FLAGS = ELLIPSIS | NORMALIZE_WHITESPACE

# Not documentation: Sphinx's output and configuration.
collect_ignore = ["docs/_build", "docs/_ext", "docs/conf.py"]

# reStructuredText: the docs pages and the docstrings in the source alike.
_REST_PARSERS: list[Parser] = [
    rest.DocTestParser(optionflags=DOCTEST_FLAGS),
    rest.PythonCodeBlockParser(),
    rest.SkipParser(),
]
_rest_docs = Sybil(
    parsers=_REST_PARSERS,
    path="docs",
    patterns=["*.rst"],
    excludes=["_build/*"],
    name="docs",
)
_docstrings = Sybil(
    parsers=_REST_PARSERS,
    path="src",
    patterns=["*.py"],
    name="docstrings",
)
_readme = Sybil(
    parsers=[
        markdown.PythonCodeBlockParser(doctest_optionflags=DOCTEST_FLAGS),
        markdown.SkipParser(),
    ],
    path=".",
    patterns=["README.md"],
    name="readme",
)

pytest_collect_file = SybilCollection([_rest_docs, _docstrings, _readme]).pytest()
