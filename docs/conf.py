"""Sphinx configuration of the sklearn-rnn documentation.

Build (from the repository root), warnings as errors::

    python -m sphinx -W -b html docs docs/_build/html

``-D plot_gallery=0`` builds without running the gallery's examples.
"""

import os
import sys
import warnings

import sklearn_rnn
import torch

# The gallery runs in this process. Its networks are small, and on a busy
# machine a second intra-op thread mostly spins: a GRUForecaster fit on the
# airline series took 4 s of CPU with one thread and 56 s with two on a
# loaded 2-core machine.
torch.set_num_threads(1)

# The gallery draws off screen.
os.environ.setdefault("MPLBACKEND", "Agg")
DOCS = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, DOCS)

project = "sklearn-rnn"
author = "the sklearn-rnn developers"
copyright = "the sklearn-rnn developers, BSD-3-Clause"
version = release = sklearn_rnn.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store",
                    "auto_examples/*.ipynb", "auto_examples/*.py",
                    "auto_examples/*.zip"]
html_theme = "alabaster"
html_static_path = []
html_theme_options = {
    "description": "Recurrent networks as scikit-learn estimators",
    "fixed_sidebar": True,
}

# -- API reference ------------------------------------------------------------
autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": True}
autodoc_typehints = "none"
# numpydoc writes the Parameters/Attributes tables; its own member tables
# would duplicate the class template's.
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False

# Members inherited from scikit-learn that users call on every estimator.
# The rest (metadata-routing requests, set_output...) are scikit-learn's own
# API, documented there, and their docstrings cite pages of scikit-learn's
# site that do not exist here.
SKLEARN_MEMBERS = {"fit", "fit_transform", "get_params", "predict",
                   "predict_proba", "score", "set_params", "transform"}


def skip_foreign_members(app, what, name, obj, skip, options):
    module = getattr(obj, "__module__", None) or ""
    if what == "class" and not module.startswith("sklearn_rnn"):
        return True if name not in SKLEARN_MEMBERS else None
    return None


def include_optional_pages(app, docname, source):
    """List docs/dask_and_gpu.rst in the table of contents when it exists."""
    if docname == "index" and os.path.exists(os.path.join(DOCS, "dask_and_gpu.rst")):
        source[0] = source[0].replace("   user_guide\n",
                                      "   user_guide\n   dask_and_gpu\n")


def setup(app):
    app.connect("autodoc-skip-member", skip_foreign_members)
    app.connect("source-read", include_optional_pages)


# -- Gallery ------------------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": os.path.join(DOCS, "..", "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "within_subsection_order": "FileNameSortKey",
    "download_all_examples": False,
    "remove_config_comments": True,
    "doc_module": ("sklearn_rnn",),
    "reference_url": {"sklearn_rnn": None},
    "backreferences_dir": "gen_modules/backreferences",
}

# torch and skorch warn about their own internals; keep the gallery output
# about the examples.
warnings.filterwarnings("ignore", category=UserWarning, module="torch")
