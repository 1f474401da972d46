"""Sphinx configuration for the staycore documentation.

Build with ``sphinx-build -W --keep-going -b html docs docs/_build/html``. The build
needs no network: intersphinx is left out on purpose.
"""

import sys
import warnings
from pathlib import Path

import staycore

sys.path.insert(0, str(Path(__file__).parent))

# sphinx-autodoc-typehints calls an API that Sphinx 9 deprecates; the notice is about
# that package, not about these docs, and would otherwise print once per docstring.
warnings.filterwarnings(
    "ignore",
    message=r".*_RstSnippetParser\.set_application.* is deprecated",
    module="sphinx_autodoc_typehints",
)

project = "staycore"
author = "staycore developers"
copyright = "2026, staycore developers"
release = staycore.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    # Must sit between napoleon and sphinx_autodoc_typehints: see its docstring.
    "_ext.docstring_lines",
    "sphinx_autodoc_typehints",
    "sphinx.ext.viewcode",
    # The analytics page's plot, drawn from CDNOW while the docs build.
    "matplotlib.sphinxext.plot_directive",
]
plot_html_show_source_link = False
plot_html_show_formats = False
plot_formats = [("png", 100)]

exclude_patterns = ["_build", "_ext"]
root_doc = "index"
language = "en"

# -- autodoc ---------------------------------------------------------------------------
# Document each module's own members in source order. Packages that re-export names
# (staycore.kernel, staycore.ports) are documented by their docstring only, so every
# object has exactly one canonical description: the one in the module that defines it.
autodoc_default_options = {
    "members": True,
    "member-order": "bysource",
    "show-inheritance": True,
}
autodoc_class_signature = "separated"
autodoc_preserve_defaults = True

# -- napoleon: Google-style docstrings only ------------------------------------------------
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_use_rtype = False
napoleon_attr_annotations = True

# -- sphinx-autodoc-typehints ------------------------------------------------------------
typehints_fully_qualified = False
# A class whose fields name the class itself (a derived rate plan's parent is a rate
# plan) gets an attrs-generated __init__ whose globals do not hold the class, so the
# extension cannot resolve that one name; the rendered signature is right regardless.
suppress_warnings = ["sphinx_autodoc_typehints.forward_reference"]
always_document_param_types = False
typehints_document_rtype = True

# -- HTML --------------------------------------------------------------------------------
html_theme = "furo"
html_title = f"staycore {release}"
