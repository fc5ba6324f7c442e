"""The documentation builds without warnings, and lists every public name.

The build runs without executing the gallery (``-D plot_gallery=0``);
``tests/test_examples.py`` runs each example script instead.
"""

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import sklearn_rnn
import sklearn_rnn.datasets
import sklearn_rnn.exceptions
import sklearn_rnn.metrics
import sklearn_rnn.model_selection
import sklearn_rnn.plotting

DOCS = Path(__file__).resolve().parent.parent / "docs"
MISSING = [name for name in ("sphinx", "numpydoc", "sphinx_gallery")
           if importlib.util.find_spec(name) is None]


@pytest.mark.docs
@pytest.mark.skipif(bool(MISSING), reason=(
    f"building the docs needs {', '.join(MISSING)}: pip install -e '.[docs]'"))
def test_docs_build_without_warnings(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-E", "-W", "--keep-going", "-q",
         "-b", "html", "-D", "plot_gallery=0", "-d", str(tmp_path / "doctrees"),
         str(DOCS), str(tmp_path / "html")],
        capture_output=True, text=True, env={**os.environ, "MPLBACKEND": "Agg"},
    )
    assert result.returncode == 0, result.stderr[-5000:]
    assert (tmp_path / "html" / "generated" / "sklearn_rnn.GRUForecaster.html"
            ).exists()
    assert (tmp_path / "html" / "auto_examples" / "index.html").exists()


@pytest.mark.parametrize("module", [
    sklearn_rnn, sklearn_rnn.metrics, sklearn_rnn.model_selection,
    sklearn_rnn.plotting, sklearn_rnn.exceptions, sklearn_rnn.datasets,
])
def test_api_reference_lists_every_public_name(module):
    api = (DOCS / "api.rst").read_text()
    listed = set(re.findall(r"^   (\w+)$", api, flags=re.MULTILINE))
    missing = sorted(set(module.__all__) - listed)
    assert not missing, f"add {missing} of {module.__name__} to docs/api.rst"


def test_ci_runs_exactly_the_readme_test_command():
    root = DOCS.parent
    blocks = re.findall(r"```bash\n(.*?)\n```", (root / "README.md").read_text(),
                        flags=re.DOTALL)
    readme = [block for block in blocks if "pytest" in block]
    assert len(readme) == 1, blocks
    commands = [line for line in (root / ".ci" / "run").read_text().splitlines()
                if line and not line.startswith(("#", "set ", "cd "))]
    # CI only quiets pip.
    assert [command.replace("pip install -q ", "pip install ")
            for command in commands] == readme
