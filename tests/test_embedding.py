"""Token-id input through the embedding layer, and text pipelines."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import make_pipeline

from sklearn_rnn import LSTMClassifier, RNNRegressor, TextToSequences

TINY = {"hidden_size": 8, "max_epochs": 2, "random_state": 0}
FILLER = [f"w{i}" for i in range(20)]


def word_order_corpus(n, seed):
    """Documents holding both "alpha" and "beta" among filler words.

    The label says which of the two comes first, so every document has
    the bag of words of one with the other label: counts cannot tell them
    apart, the order can.
    """
    rng = np.random.default_rng(seed)
    docs, labels = [], []
    for _ in range(n):
        words = list(rng.choice(FILLER, size=rng.integers(2, 8)))
        i, j = sorted(rng.choice(len(words) + 2, size=2, replace=False))
        first, second = ("alpha", "beta") if rng.random() < 0.5 else ("beta", "alpha")
        words.insert(i, first)
        words.insert(j, second)
        docs.append(" ".join(words))
        labels.append(f"{first} first")
    return docs, np.array(labels)


def _token_ids(n, seed, high=10):
    rng = np.random.default_rng(seed)
    return [rng.integers(2, high, size=(rng.integers(2, 7), 1)) for _ in range(n)]


def test_recurrent_pipeline_reads_word_order_that_bag_of_words_cannot():
    X, y = word_order_corpus(150, 0)
    X_test, y_test = word_order_corpus(300, 1)
    # Default parameters, seeded.
    rnn = make_pipeline(TextToSequences(), LSTMClassifier(random_state=0))
    rnn_accuracy = rnn.fit(X, y).score(X_test, y_test)
    bow = make_pipeline(CountVectorizer(), LogisticRegression())
    bow_accuracy = bow.fit(X, y).score(X_test, y_test)
    assert rnn[-1].embedding_dim_ == 32
    assert rnn_accuracy > 0.95
    assert bow_accuracy < 0.65
    assert rnn_accuracy > bow_accuracy + 0.3


def test_text_pipeline_grid_searches():
    X, y = word_order_corpus(60, 0)
    pipe = make_pipeline(TextToSequences(), LSTMClassifier(random_state=0))
    search = GridSearchCV(
        pipe,
        {"lstmclassifier__max_epochs": [2, 5],
         "texttosequences__max_length": [None, 3]},
        cv=KFold(2),
    ).fit(X, y)
    assert set(search.cv_results_["params"][0]) == {
        "lstmclassifier__max_epochs", "texttosequences__max_length"}
    assert set(search.predict(["alpha w1 beta", "beta alpha"])) <= set(y)


def test_auto_embeds_integer_sequences_only():
    rng = np.random.default_rng(0)
    ids = _token_ids(20, 0)
    y = rng.integers(0, 2, size=20)
    assert LSTMClassifier(**TINY).fit(ids, y).embedding_dim_ == 32
    padded = np.zeros((20, 6, 1), dtype=np.int64)
    for i, seq in enumerate(ids):
        padded[i, : len(seq)] = seq
    assert LSTMClassifier(**TINY).fit(padded, y).embedding_dim_ == 32
    # Integers with several features, floats and 2-D integer arrays are numbers.
    numbers = [
        [rng.integers(0, 5, size=(4, 2)) for _ in range(20)],
        [seq.astype(float) for seq in ids],
        rng.integers(0, 5, size=(20, 6)),
    ]
    for X in numbers:
        assert LSTMClassifier(**TINY).fit(X, y).embedding_dim_ is None
    assert LSTMClassifier(**TINY, embedding_dim=None).fit(ids, y).embedding_dim_ is None


def test_an_int_embedding_dim_forces_an_embedding():
    ids = _token_ids(20, 0)
    y = np.arange(20.0)
    reg = RNNRegressor(**TINY, embedding_dim=4).fit([s.astype(float) for s in ids], y)
    assert reg.embedding_dim_ == 4
    assert reg.net_.module_.embedding.embedding_dim == 4
    # 2-D ids (n_samples, n_timesteps) too, with 0 as padding.
    X2 = np.array([[0, 3, 4], [2, 3, 5]])
    reg = RNNRegressor(**TINY, embedding_dim=4).fit(X2, [1.0, 2.0])
    assert_allclose(reg.predict(X2[:1]), reg.predict([[[3], [4]]]), atol=1e-6)
    with pytest.raises(ValueError, match="non-negative whole numbers.*Got 0.5"):
        RNNRegressor(**TINY, embedding_dim=4).fit([[[1.0], [0.5]]], [1.0])
    with pytest.raises(ValueError, match="exactly one feature per step.*Got 2 features"):
        RNNRegressor(**TINY, embedding_dim=4).fit([np.ones((3, 2))], [1.0])


def test_token_ids_are_not_standardised_and_unseen_ids_are_unknown():
    ids = _token_ids(30, 0, high=10)
    y = np.arange(30) % 2
    clf = LSTMClassifier(**TINY).fit(ids, y)
    assert clf.net_.module_.embedding.num_embeddings == 10
    seq = np.array([[3], [12], [4], [999]])
    as_unknown = np.array([[3], [1], [4], [1]])
    assert_allclose(clf.predict_proba([seq]), clf.predict_proba([as_unknown]))


def test_zero_ids_at_the_ends_are_padding():
    ids = _token_ids(20, 0)
    clf = LSTMClassifier(**TINY).fit(ids, np.arange(20) % 2)
    seq = np.array([[3], [5], [4]])
    alone = clf.predict_proba([seq])
    padded = np.zeros((2, 7, 1), dtype=np.int64)
    padded[0, 2:5] = seq
    padded[1] = 2
    assert_allclose(clf.predict_proba(padded)[:1], alone, atol=1e-6)
    padded[0, 3] = 0
    with pytest.raises(ValueError, match="padding id 0 .*inside sample 0 at step 3"):
        clf.predict(padded)
    with pytest.raises(ValueError, match="Sample 0 of X has no time steps"):
        clf.predict(np.zeros((1, 3, 1), dtype=np.int64))
