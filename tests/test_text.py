import pickle

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_array_equal
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_rnn import TextToSequences

DOCS = ["the cat sat", "the dog sat down", "a bird!"]


def _ids(sequences):
    return [sequence.ravel().tolist() for sequence in sequences]


def test_vocabulary_is_ordered_by_frequency_from_id_2():
    text = TextToSequences().fit(DOCS)
    assert text.vocabulary_ == {
        "sat": 2,
        "the": 3,
        "bird": 4,
        "cat": 5,
        "dog": 6,
        "down": 7,
    }
    assert text.vocabulary_size_ == 8


def test_vocabulary_does_not_depend_on_document_order():
    forward = TextToSequences().fit(DOCS).vocabulary_
    backward = TextToSequences().fit(DOCS[::-1]).vocabulary_
    assert forward == backward


def test_output_is_a_list_of_int64_column_sequences():
    sequences = TextToSequences().fit_transform(DOCS)
    assert isinstance(sequences, list)
    assert len(sequences) == len(DOCS)
    for sequence in sequences:
        assert sequence.dtype == np.int64
        assert sequence.ndim == 2
        assert sequence.shape[1] == 1
    assert _ids(sequences) == [[3, 5, 2], [3, 6, 2, 7], [4]]


def test_unknown_tokens_get_id_1_and_padding_id_0_is_never_used():
    text = TextToSequences().fit(DOCS)
    sequences = text.transform(["the zebra sat", "zebra"])
    assert _ids(sequences) == [[3, 1, 2], [1]]
    assert all((sequence != 0).all() for sequence in sequences)


@pytest.mark.parametrize("document", ["", "   ", "!?", "a"])
def test_document_without_tokens_becomes_one_unknown_token(document):
    (sequence,) = TextToSequences().fit(DOCS).transform([document])
    assert_array_equal(sequence, [[1]])


def test_max_length_keeps_the_last_tokens():
    text = TextToSequences(max_length=2).fit(DOCS)
    assert _ids(text.transform(["the dog sat down", "cat"])) == [[2, 7], [5]]


def test_max_features_keeps_the_most_frequent_tokens():
    text = TextToSequences(max_features=2).fit(DOCS)
    assert text.vocabulary_ == {"sat": 2, "the": 3}
    assert text.vocabulary_size_ == 4
    assert _ids(text.transform(["the cat sat"])) == [[3, 1, 2]]


@pytest.mark.parametrize("min_df", [2, 0.5])
def test_min_df_drops_rare_tokens(min_df):
    text = TextToSequences(min_df=min_df).fit(DOCS)
    assert set(text.vocabulary_) == {"sat", "the"}


def test_char_analyzer_lowercase_and_token_pattern():
    text = TextToSequences(analyzer="char").fit(["abba"])
    assert text.vocabulary_ == {"a": 2, "b": 3}
    assert _ids(text.transform(["Abc"])) == [[2, 3, 1]]

    cased = TextToSequences(lowercase=False).fit(["Cat cat cat"])
    assert cased.vocabulary_ == {"cat": 2, "Cat": 3}

    single = TextToSequences(token_pattern=r"(?u)\b\w+\b").fit(["a cat"])
    assert set(single.vocabulary_) == {"a", "cat"}


@pytest.mark.parametrize(
    "X", [pd.Series(DOCS), np.array(DOCS), tuple(DOCS), (doc for doc in DOCS)]
)
def test_accepts_iterables_of_strings(X):
    assert _ids(TextToSequences().fit_transform(X)) == [[3, 5, 2], [3, 6, 2, 7], [4]]


@pytest.mark.parametrize("X", ["the cat sat", b"the cat sat"])
def test_single_string_must_be_wrapped_in_a_list(X):
    with pytest.raises(TypeError, match="wrap it in a list"):
        TextToSequences().fit(X)
    text = TextToSequences().fit(DOCS)
    with pytest.raises(TypeError, match="wrap it in a list"):
        text.transform(X)


@pytest.mark.parametrize("bad", [None, np.nan, 3, b"bytes"])
def test_non_string_documents_are_rejected(bad):
    with pytest.raises(TypeError, match="X must contain only strings.*at position 1"):
        TextToSequences().fit(["fine", bad])


def test_non_iterable_is_rejected():
    with pytest.raises(TypeError, match="X must be an iterable of strings"):
        TextToSequences().fit(3)


def test_empty_corpus_and_empty_vocabulary_are_errors():
    with pytest.raises(ValueError, match="Got 0 documents instead"):
        TextToSequences().fit([])
    with pytest.raises(ValueError, match="The vocabulary is empty"):
        TextToSequences().fit(["!", "a"])
    with pytest.raises(ValueError, match="The vocabulary is empty.*min_df=5"):
        TextToSequences(min_df=5).fit(DOCS)


@pytest.mark.parametrize(
    "param, value",
    [
        ("analyzer", "char_wb"),
        ("max_length", 0),
        ("max_features", 0),
        ("min_df", 1.5),
        ("lowercase", "yes"),
    ],
)
def test_parameters_are_validated_in_fit(param, value):
    text = TextToSequences().set_params(**{param: value})
    match = f"The '{param}' parameter of TextToSequences must be"
    with pytest.raises(InvalidParameterError, match=match):
        text.fit(DOCS)


def test_transform_needs_fit():
    with pytest.raises(NotFittedError):
        TextToSequences().transform(DOCS)


def test_clone_get_params_and_pickle():
    text = TextToSequences(max_length=5, min_df=2)
    cloned = clone(text)
    assert cloned.get_params() == text.get_params()
    assert cloned.get_params()["max_length"] == 5
    fitted = cloned.fit(DOCS)
    restored = pickle.loads(pickle.dumps(fitted))
    assert restored.vocabulary_ == fitted.vocabulary_
    assert _ids(restored.transform(DOCS)) == _ids(fitted.transform(DOCS))


def test_set_output_only_default():
    text = TextToSequences()
    assert text.set_output(transform="default") is text
    with pytest.raises(ValueError, match="Got transform='pandas' instead"):
        text.set_output(transform="pandas")


def _bag_of_ids(sequences, size=16):
    # Stands in for a sequence estimator: counts ids so a linear model applies.
    return np.stack(
        [np.bincount(sequence.ravel(), minlength=size)[:size] for sequence in sequences]
    )


def test_runs_inside_a_pipeline_on_raw_strings():
    docs = ["good movie", "great film", "bad movie", "awful film"] * 5
    y = [1, 1, 0, 0] * 5
    pipeline = make_pipeline(
        TextToSequences(), FunctionTransformer(_bag_of_ids), LogisticRegression()
    )
    pipeline.fit(docs, y)
    assert_array_equal(pipeline.predict(["good film", "awful movie"]), [1, 0])
