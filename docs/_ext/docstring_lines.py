"""Split multi-line entries of a processed docstring into one entry per line.

napoleon turns a Google-style field whose description wraps (``Raises:`` with a
continuation line) into a single list entry that contains a newline.
sphinx-autodoc-typehints then finds where to insert ``:rtype:`` by parsing the joined
text and using docutils' line numbers as list indices, which the embedded newline
shifts by one: the ``:rtype:`` lands after the next line, breaking the markup that
follows (``Explicit markup ends without a blank line``).

This extension runs between the two (it must be listed after ``sphinx.ext.napoleon``
and before ``sphinx_autodoc_typehints`` in ``extensions``) and restores the invariant
that one list entry is one line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sphinx.application import Sphinx


def split_lines(
    _app: Sphinx, _what: str, _name: str, _obj: object, _options: object, lines: list[str]
) -> None:
    """Replace ``lines`` in place by the same text with exactly one line per entry."""
    if any("\n" in line for line in lines):
        lines[:] = "\n".join(lines).split("\n")


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the handler; Sphinx calls this when the extension is loaded."""
    app.connect("autodoc-process-docstring", split_lines)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
