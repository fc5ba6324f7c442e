"""Text to token-id sequences, for the sequence estimators' embedding input."""

from collections import Counter
from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.utils._param_validation import Interval, RealNotInt, StrOptions
from sklearn.utils.validation import check_is_fitted

from ._tokens import FIRST_TOKEN_ID, UNKNOWN_ID
from ._windows import _SequenceOutputMixin

__all__ = ["TextToSequences"]



def _check_documents(X):
    """Return ``X`` as a list of str, or raise a TypeError saying what is wrong."""
    if isinstance(X, (str, bytes)):
        raise TypeError(
            "X must be an iterable of strings, one document each, not a single "
            "string: wrap it in a list, e.g. [text]. Got a "
            f"{type(X).__name__} instead."
        )
    try:
        documents = list(X)
    except TypeError:
        raise TypeError(
            "X must be an iterable of strings, one document each. Got "
            f"{type(X).__name__} instead."
        ) from None
    for position, document in enumerate(documents):
        if not isinstance(document, str):
            # Missing values (None, NaN) land here too: they have no tokens to
            # stand for, and silently emptying them would hide the gap.
            raise TypeError(
                "X must contain only strings (decode bytes, fill missing "
                f"values). Got {document!r} of type {type(document).__name__} "
                f"at position {position} instead."
            )
    return documents


class TextToSequences(_SequenceOutputMixin, TransformerMixin, BaseEstimator):
    """Turn raw documents into sequences of token ids.

    Each document is split into tokens with scikit-learn's text analysers (the
    same tokenisation as :class:`~sklearn.feature_extraction.text.CountVectorizer`)
    and each token replaced by its id in a vocabulary learned in :term:`fit`.
    The token order is kept, so the result is a sequence that the package's
    sequence estimators read through an embedding layer:
    ``make_pipeline(TextToSequences(), LSTMClassifier())`` fits on a list of
    strings.

    Ids:

    - ``0`` is reserved for padding and never produced;
    - ``1`` stands for an unknown token: one not in the vocabulary (unseen in
      fit, or cut by ``min_df`` / ``max_features``);
    - ``2, 3, ...`` are the vocabulary, the most frequent token first (ties in
      alphabetical order).

    Parameters
    ----------
    analyzer : {"word", "char"}, default="word"
        Whether tokens are words (matched by ``token_pattern``) or single
        characters (runs of white space count as one space). Character
        n-grams and word n-grams are not offered: an n-gram mix has no single
        time order, and a recurrent network learns n-grams from the sequence.

    lowercase : bool, default=True
        Convert the text to lowercase before tokenising.

    token_pattern : str, default=r"(?u)\\b\\w\\w+\\b"
        Regular expression of a word token, used when ``analyzer="word"``.
        The default, scikit-learn's, keeps words of two or more alphanumeric
        characters; ``r"(?u)\\b\\w+\\b"`` keeps one-letter words too. If it has a
        capturing group, the group is the token.

    max_features : int or None, default=None
        Keep only the ``max_features`` most frequent tokens (counted over the
        whole corpus) in the vocabulary; the others become unknown. None keeps
        all.

    min_df : float in [0.0, 1.0] or int, default=1
        Drop tokens that appear in fewer documents than this (a count, or a
        proportion of the documents if a float); they become unknown.

    max_length : int or None, default=None
        Longest sequence to output. Longer documents keep their LAST
        ``max_length`` tokens: a recurrent network reads a sequence in order
        and answers from its final state, which remembers the end best. None
        keeps every token.

    Attributes
    ----------
    vocabulary_ : dict
        Mapping of token to id (ids start at 2).

    vocabulary_size_ : int
        Largest id plus one (``len(vocabulary_) + 2``): the number of
        embeddings a model reading these sequences needs.

    See Also
    --------
    sklearn.feature_extraction.text.CountVectorizer : The same tokenisation,
        into counts instead of sequences.

    Notes
    -----
    The output is the package's variable-length contract: a list of
    ``numpy.int64`` arrays of shape ``(n_tokens_i, 1)``, one per document. A
    document with no tokens (empty, or only punctuation) becomes the single
    unknown token ``[[1]]`` rather than an empty sequence, which the sequence
    estimators reject.

    The output is a list, so ``set_output(transform="pandas")`` cannot apply
    and raises a ``ValueError``; there is no ``get_feature_names_out``, as the
    only feature at each step is the token id.

    Examples
    --------
    >>> from sklearn_rnn import TextToSequences
    >>> docs = ["the cat sat", "the dog sat down", "a bird!"]
    >>> text = TextToSequences().fit(docs)
    >>> text.vocabulary_
    {'sat': 2, 'the': 3, 'bird': 4, 'cat': 5, 'dog': 6, 'down': 7}
    >>> text.vocabulary_size_
    8
    >>> [seq.ravel().tolist() for seq in text.transform(["the cat ran", "!"])]
    [[3, 5, 1], [1]]
    >>> text.transform(["the cat ran"])[0].shape
    (3, 1)
    >>> text.set_params(max_length=2).transform(["the cat ran"])[0].ravel()
    array([5, 1])
    """

    _parameter_constraints: dict = {
        "analyzer": [StrOptions({"word", "char"})],
        "lowercase": ["boolean"],
        "token_pattern": [str],
        "max_features": [Interval(Integral, 1, None, closed="left"), None],
        "min_df": [
            Interval(RealNotInt, 0, 1, closed="both"),
            Interval(Integral, 0, None, closed="left"),
        ],
        "max_length": [Interval(Integral, 1, None, closed="left"), None],
    }

    def __init__(
        self,
        *,
        analyzer="word",
        lowercase=True,
        token_pattern=r"(?u)\b\w\w+\b",
        max_features=None,
        min_df=1,
        max_length=None,
    ):
        self.analyzer = analyzer
        self.lowercase = lowercase
        self.token_pattern = token_pattern
        self.max_features = max_features
        self.min_df = min_df
        self.max_length = max_length

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        return tags

    def _build_analyzer(self):
        # token_pattern means nothing to the char analyser, and CountVectorizer
        # warns when it is set there.
        return CountVectorizer(
            analyzer=self.analyzer,
            lowercase=self.lowercase,
            token_pattern=self.token_pattern if self.analyzer == "word" else None,
        ).build_analyzer()

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn the vocabulary of the documents.

        Parameters
        ----------
        X : iterable of str
            The documents: a list, array or pandas Series of strings.

        y : None
            Ignored; present for Pipeline compatibility.

        Returns
        -------
        self : object
            The fitted transformer.
        """
        self._fit(self._tokenize(_check_documents(X)))
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def fit_transform(self, X, y=None):
        """Learn the vocabulary, then turn each document into token ids.

        Equivalent to ``fit(X).transform(X)``, but reads ``X`` once, so a
        generator of documents works.

        Parameters
        ----------
        X : iterable of str
            The documents: a list, array or pandas Series of strings.

        y : None
            Ignored; present for Pipeline compatibility.

        Returns
        -------
        sequences : list of ndarray of shape (n_tokens_i, 1), dtype int64
            One sequence per document, at least one token long.
        """
        tokenized = self._tokenize(_check_documents(X))
        self._fit(tokenized)
        return self._to_ids(tokenized)

    def _tokenize(self, documents):
        analyze = self._build_analyzer()
        return [analyze(document) for document in documents]

    def _fit(self, tokenized):
        if not tokenized:
            raise ValueError(
                "X must contain at least one document to learn a vocabulary "
                "from. Got 0 documents instead."
            )
        token_counts = Counter()
        document_counts = Counter()
        for tokens in tokenized:
            token_counts.update(tokens)
            document_counts.update(set(tokens))

        min_count = (
            self.min_df
            if isinstance(self.min_df, Integral)
            else self.min_df * len(tokenized)
        )
        kept = [
            token for token in token_counts if document_counts[token] >= min_count
        ]
        # Most frequent first, so ids say something about frequency and the
        # vocabulary does not depend on the order of the documents.
        kept.sort(key=lambda token: (-token_counts[token], token))
        if self.max_features is not None:
            kept = kept[: self.max_features]
        if not kept:
            raise ValueError(
                "The vocabulary is empty: no token is left after tokenising and "
                "applying min_df. Check the documents, token_pattern and min_df. "
                f"Got {len(token_counts)} distinct token(s) in {len(tokenized)} "
                f"document(s) and min_df={self.min_df!r} instead."
            )
        self.vocabulary_ = {
            token: FIRST_TOKEN_ID + rank for rank, token in enumerate(kept)
        }
        self.vocabulary_size_ = len(kept) + FIRST_TOKEN_ID

    def transform(self, X):
        """Turn each document into a sequence of token ids.

        Parameters
        ----------
        X : iterable of str
            The documents: a list, array or pandas Series of strings.

        Returns
        -------
        sequences : list of ndarray of shape (n_tokens_i, 1), dtype int64
            One sequence per document, at least one token long; tokens outside
            the vocabulary have id 1.
        """
        check_is_fitted(self)
        return self._to_ids(self._tokenize(_check_documents(X)))

    def _to_ids(self, tokenized):
        vocabulary = self.vocabulary_
        sequences = []
        for tokens in tokenized:
            ids = [vocabulary.get(token, UNKNOWN_ID) for token in tokens]
            if self.max_length is not None:
                ids = ids[-self.max_length :]
            if not ids:
                ids = [UNKNOWN_ID]
            sequences.append(np.asarray(ids, dtype=np.int64).reshape(-1, 1))
        return sequences
