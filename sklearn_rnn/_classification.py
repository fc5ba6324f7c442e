"""Sequence classification: a class label for each sequence."""

import numpy as np
import torch
from sklearn.base import ClassifierMixin, _fit_context
from sklearn.utils._param_validation import StrOptions
from sklearn.preprocessing import LabelEncoder
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import column_or_1d

from ._docstrings import fill_doc
from ._validation import check_labels, check_y_length
from ._sequence import BaseSequenceEstimator


@fill_doc
class LSTMClassifier(ClassifierMixin, BaseSequenceEstimator):
    """Recurrent network classifier for sequences.

    Standardises each sequence, summarises it with 1-D convolution blocks
    that shorten long sequences, reads the result with a recurrent cell (an
    LSTM by default), pools the cell's outputs over every real step and
    predicts the class through a softmax. Each stage is a parameter (see
    the user guide, "Front end, cell and readout"); labels may be of any
    type.

    Parameters
    ----------
    {network}

    {sequence}

    class_weight : dict, "balanced" or None, default=None
        Weights of the classes in the cross-entropy loss: ``{label: weight}``,
        or ``"balanced"`` for weights inversely proportional to class
        frequencies (as in scikit-learn's linear models).

    {training}

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels, sorted.

    n_features_in_ : int
        For 2-D ``X`` the number of time steps; for 3-D and list input the
        number of features per step.

    feature_names_in_ : ndarray of str
        Column names of a 2-D DataFrame ``X``, when it had string names.

    embedding_dim_ : int or None
        Size of the embedding reading token ids, or None when ``X`` is read
        as numbers (see ``embedding_dim``).

    {fitted}

    See Also
    --------
    RNNRegressor : The same network for numeric targets.

    Notes
    -----
    ``X`` is ``(n_samples, n_timesteps)`` for univariate sequences,
    ``(n_samples, n_timesteps, n_features)`` for multivariate ones, or a
    list of ``(n_timesteps_i, n_features)`` arrays of different lengths.
    Rows of NaN at the start or end of a sequence are padding that the
    network never sees. Without the convolutional front end
    (``conv_channels=None``) training batches group sequences of similar
    length, so padding costs little; with it, batches are drawn at random,
    so that batch normalisation sees sequences of every length. Integer
    token ids (from :class:`~sklearn_rnn.TextToSequences`) go through an
    embedding: see ``embedding_dim``. Binary problems use the same two-output softmax as
    multi-class ones.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rnn import LSTMClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 8, 1))
    >>> y = np.where(X[:, :, 0].sum(axis=1) > 0, "up", "down")
    >>> clf = LSTMClassifier(max_epochs=20, random_state=0).fit(X, y)
    >>> clf.classes_
    array(['down', 'up'], dtype='<U4')
    >>> clf.predict_proba(X[:1]).sum()
    np.float64(1.0...)
    >>> clf.score(X, y) > 0.9
    True

    Text, read in word order through an embedding:

    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn_rnn import TextToSequences
    >>> docs = ["good movie", "bad movie", "very good", "very bad"] * 10
    >>> labels = ["pos", "neg", "pos", "neg"] * 10
    >>> text_clf = make_pipeline(
    ...     TextToSequences(), LSTMClassifier(max_epochs=20, random_state=0)
    ... ).fit(docs, labels)
    >>> text_clf.predict(["a good movie", "very bad"])
    array(['pos', 'neg'], dtype='<U3')
    """

    _parameter_constraints: dict = {
        **BaseSequenceEstimator._parameter_constraints,
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }

    def __init__(self, *, cell="lstm", hidden_size=64, num_layers=1, dropout=0.2,
                 layer_norm=False, nonlinearity="tanh", bidirectional=False,
                 embedding_dim="auto", conv_channels=32, conv_layers=3,
                 kernel_size=7, stride=1, pool_size="auto", pooling="meanmax",
                 normalize="both",
                 class_weight=None, clip_grad_norm=1.0, optimizer="adam", lr=5e-3,
                 weight_decay=0.0, lr_schedule="onecycle", batch_size=32,
                 max_epochs="auto", early_stopping=False, validation_fraction=0.1,
                 patience=10, random_state=None, device="cpu", verbose=0,
                 callbacks=None, warm_start=False):
        super().__init__(
            cell=cell, hidden_size=hidden_size, num_layers=num_layers,
            dropout=dropout, layer_norm=layer_norm, nonlinearity=nonlinearity,
            clip_grad_norm=clip_grad_norm, optimizer=optimizer, lr=lr,
            weight_decay=weight_decay, lr_schedule=lr_schedule,
            batch_size=batch_size, max_epochs=max_epochs,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction, patience=patience,
            random_state=random_state, device=device, verbose=verbose,
            callbacks=callbacks, warm_start=warm_start,
        )
        self.bidirectional = bidirectional
        self.embedding_dim = embedding_dim
        self.conv_channels = conv_channels
        self.conv_layers = conv_layers
        self.kernel_size = kernel_size
        self.stride = stride
        self.pool_size = pool_size
        self.pooling = pooling
        self.normalize = normalize
        self.class_weight = class_weight

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Fit the network to sequences ``X`` and labels ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps[, n_features]) or list
            Training sequences.
        y : array-like of shape (n_samples,)
            Class labels of any type.

        Returns
        -------
        self : LSTMClassifier
            The fitted estimator.
        """
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the "
                "target y is None."
            )
        dataset, _, _ = self._sequences(X, reset=True)
        check_labels(y, type(self).__name__)
        y = column_or_1d(y, warn=True)
        check_y_length(y, len(dataset.X))
        check_classification_targets(y)
        encoder = LabelEncoder().fit(y)
        if self.warm_start and hasattr(self, "classes_") and not np.array_equal(
            encoder.classes_, self.classes_
        ):
            raise ValueError(
                "warm_start=True needs the same classes as the previous fit: "
                f"{self.classes_.tolist()}; got {encoder.classes_.tolist()}."
            )
        self.classes_ = encoder.classes_
        if len(self.classes_) < 2:
            raise ValueError(
                f"{type(self).__name__} needs samples of at least 2 classes in "
                f"y; got 1 class ({self.classes_[0]!r}) instead."
            )
        weight = None
        if self.class_weight is not None:
            weight = torch.as_tensor(
                compute_class_weight(self.class_weight, classes=self.classes_, y=y),
                dtype=torch.float32,
            )
        dataset.y = torch.from_numpy(encoder.transform(y).astype(np.int64))
        return self._fit_sequences(
            dataset,
            output_size=len(self.classes_),
            head="last",
            criterion=torch.nn.CrossEntropyLoss(weight=weight),
        )

    def predict_proba(self, X):
        """Class probabilities of sequences ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps[, n_features]) or list
            Sequences to classify.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities in the order of ``classes_``; rows sum to 1.
        """
        logits = torch.from_numpy(self._predict_outputs(X)).double()
        return torch.softmax(logits, dim=-1).numpy()

    def predict(self, X):
        """Most probable class of each sequence in ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps[, n_features]) or list
            Sequences to classify.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Labels from ``classes_``.
        """
        outputs = self._predict_outputs(X)
        return self.classes_[outputs.argmax(axis=-1)]
