"""Every public class documents exactly its parameters, with their real defaults."""

import ast
import inspect
import re

import pytest
from numpydoc.docscrape import ClassDoc, FunctionDoc

import sklearn_rnn
import sklearn_rnn.datasets
import sklearn_rnn.metrics
import sklearn_rnn.model_selection
import sklearn_rnn.plotting

PUBLIC = [getattr(module, name)
          for module in (sklearn_rnn, sklearn_rnn.model_selection,
                         sklearn_rnn.plotting, sklearn_rnn.datasets)
          for name in module.__all__]
# The scorers and interval metrics of sklearn_rnn.metrics document grouped
# parameters ("lower, upper") and **kwargs, which this check does not parse.
PUBLIC += [sklearn_rnn.metrics.skill_score,
           sklearn_rnn.metrics.mean_absolute_scaled_error]
CLASSES = [obj for obj in PUBLIC if inspect.isclass(obj)]
FUNCTIONS = [obj for obj in PUBLIC if inspect.isfunction(obj)]


def _signature_parameters(func):
    return [p for p in inspect.signature(func).parameters.values()
            if p.name != "self"]


def _check(documented, parameters, name):
    names = [p.name for p in parameters]
    assert [doc.name for doc in documented] == names, (
        f"{name} documents {[doc.name for doc in documented]}, but its "
        f"signature has {names}"
    )
    for doc, parameter in zip(documented, parameters):
        match = re.search(r"default=(.*)$", doc.type)
        if parameter.default is parameter.empty:
            assert match is None, f"{name}({doc.name}) has no default"
            continue
        assert match is not None, f"{name}({doc.name}) documents no default"
        value, default = _literal(match.group(1)), parameter.default
        assert (type(value), value) == (type(default), default), (
            f"{name}({doc.name}) documents default={match.group(1)}, but the "
            f"signature has {parameter.default!r}"
        )


def _literal(text):
    """The value a documented default spells (``"gru"``, ``0.005``, ``r"\\w"``)."""
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
def test_class_documents_its_init_parameters_and_defaults(cls):
    documented = ClassDoc(cls, config={"show_class_members": False})["Parameters"]
    _check(documented, _signature_parameters(cls.__init__), cls.__name__)


@pytest.mark.parametrize("func", FUNCTIONS, ids=lambda func: func.__name__)
def test_function_documents_its_parameters_and_defaults(func):
    _check(FunctionDoc(func)["Parameters"], _signature_parameters(func),
           func.__name__)


def test_the_check_catches_a_wrong_default():
    class Documented:
        """A class.

        Parameters
        ----------
        size : int, default=3
            A size.
        """

        def __init__(self, *, size=4):
            self.size = size

    documented = ClassDoc(Documented, config={"show_class_members": False})
    with pytest.raises(AssertionError, match="default=3"):
        _check(documented["Parameters"],
               _signature_parameters(Documented.__init__), "Documented")


@pytest.mark.parametrize("obj", PUBLIC, ids=lambda obj: obj.__name__)
def test_every_public_name_has_a_runnable_example(obj):
    # --doctest-modules runs it, so an example here is also a test.
    doc = (ClassDoc(obj, config={"show_class_members": False})
           if inspect.isclass(obj) else FunctionDoc(obj))
    assert any(line.startswith(">>> ") for line in doc["Examples"]), (
        f"{obj.__name__} has no doctest example"
    )
