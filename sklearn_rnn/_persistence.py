"""Save and load estimators in a format that runs no code when loaded.

``pickle`` and ``joblib`` files are programs: unpickling calls whatever
callables the file names, so loading one from a stranger runs the
stranger's code. :func:`save` writes a zip archive that holds only data:

``manifest.json``
    Format name and version, the estimator's class name, the SHA-256 digest
    of every other member, and one digest over all of that.
``params.json``
    The constructor parameters (``get_params(deep=False)``) as JSON.
``state.json`` and ``state.npz``
    The fitted attributes (``classes_``, ``n_features_in_``, scaling
    statistics...): JSON values, and NumPy arrays written with
    :func:`numpy.savez` and read back with ``allow_pickle=False``.
``history.json``
    The training history, per epoch.
``weights.pt``
    The network's weights, the optimizer state and the loss's tensors
    (class weights), read back with ``torch.load(weights_only=True)``.

:func:`load` checks the format version and every digest before it decodes
anything, looks the estimator class up among sklearn-rnn's public
estimators and the loss class among loss classes already imported from
``torch.nn`` and sklearn-rnn (never importing a name the file chooses),
and validates the parameters as ``fit`` would.
"""

import hashlib
import io
import json
import os
import re
import sys
import tempfile
import zipfile

import numpy as np
import torch

from ._version import __version__
from .exceptions import ModelFileError

__all__ = ["load", "save"]

FORMAT = "sklearn-rnn-model"
FORMAT_VERSION = 1

_MANIFEST = "manifest.json"
_PARAMS = "params.json"
_STATE_JSON = "state.json"
_STATE_ARRAYS = "state.npz"
_HISTORY = "history.json"
_WEIGHTS = "weights.pt"

# Attributes that travel in their own members, not as fitted state.
_NET_ATTRIBUTES = ("net_", "history_")
# Modules whose loss classes a file may name (only once they are imported).
_LOSS_MODULES = ("torch.nn.modules.loss",)
_ATTRIBUTE_NAME = re.compile(r"^_?[A-Za-z][A-Za-z0-9_]*$")


def _estimator_classes():
    """The classes :func:`load` may build: sklearn-rnn's public estimators."""
    import sklearn_rnn
    from sklearn.base import BaseEstimator

    classes = {}
    for name in sklearn_rnn.__all__:
        obj = getattr(sklearn_rnn, name)
        if isinstance(obj, type) and issubclass(obj, BaseEstimator):
            classes[name] = obj
    return classes


# -- encoding ---------------------------------------------------------------


class _Encoder:
    """JSON with tags for what JSON lacks; arrays go to a separate npz."""

    def __init__(self):
        self.arrays = {}

    def encode(self, value, where, hint=""):
        if value is None or isinstance(value, (bool, str)):
            return value
        if isinstance(value, float) and not isinstance(value, np.floating):
            return value if np.isfinite(value) else {"__float__": repr(value)}
        if isinstance(value, int) and not isinstance(value, np.integer):
            return value
        if isinstance(value, np.generic) and value.dtype.kind in "biuf":
            return {"__array__": self._add(np.asarray(value)), "scalar": True}
        if isinstance(value, np.ndarray):
            if value.dtype.kind in "biuf":
                return {"__array__": self._add(value)}
            if value.dtype.kind in "OU":
                return {
                    "__object_array__": [self.encode(item, where, hint)
                                         for item in value.ravel().tolist()],
                    "shape": list(value.shape),
                    "dtype": value.dtype.str,
                }
        if isinstance(value, list):
            return [self.encode(item, where, hint) for item in value]
        if isinstance(value, tuple):
            return {"__tuple__": [self.encode(item, where, hint) for item in value]}
        if isinstance(value, dict):
            return {"__dict__": [[self.encode(k, where, hint),
                                  self.encode(v, where, hint)]
                                 for k, v in value.items()]}
        raise TypeError(
            f"Cannot save {where}: a {type(value).__name__} is not data this "
            "format stores (None, bool, int, float, str, lists, tuples and "
            "dicts of them, and numeric or string NumPy arrays). "
            f"{hint}Got {value!r:.80} instead."
        )

    def _add(self, array):
        key = f"a{len(self.arrays)}"
        self.arrays[key] = array
        return key


_HINTS = {
    "callbacks": (
        "Callbacks are code, which this format does not store by design: "
        "save with set_params(callbacks=None) and set them again after "
        "loading. "
    ),
    "random_state": (
        "Set random_state to an int or None (set_params) before saving. "
    ),
}


def _decode(value, arrays):
    if isinstance(value, list):
        return [_decode(item, arrays) for item in value]
    if not isinstance(value, dict):
        return value
    if "__float__" in value:
        return float(value["__float__"])
    if "__array__" in value:
        array = arrays[value["__array__"]]
        return array[()] if value.get("scalar") else array
    if "__object_array__" in value:
        items = [_decode(item, arrays) for item in value["__object_array__"]]
        dtype = value["dtype"]
        if dtype != "|O" and not re.fullmatch(r"[<>|=]U\d+", dtype):
            raise ModelFileError(f"Unknown array dtype in the model file: {dtype!r}.")
        array = np.empty(len(items), dtype=object)
        array[:] = items
        return array.astype(dtype).reshape(value["shape"])
    if "__tuple__" in value:
        return tuple(_decode(item, arrays) for item in value["__tuple__"])
    if "__dict__" in value:
        return {_decode(k, arrays): _decode(v, arrays) for k, v in value["__dict__"]}
    raise ModelFileError(f"Unknown value in the model file: {value!r:.80}.")


def _decode_members(obj, arrays):
    """Decode a top-level ``{name: value}`` object of params or state."""
    if not isinstance(obj, dict):
        raise ModelFileError("The model file's data is malformed: expected an "
                             f"object of named values, got {type(obj).__name__}.")
    return {str(key): _decode(value, arrays) for key, value in obj.items()}


def _json_bytes(obj):
    return json.dumps(obj, sort_keys=True, allow_nan=False).encode()


def _history_default(value):
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"Cannot save a {type(value).__name__} in the history.")


def _digest(manifest):
    """SHA-256 over the format, class and member digests."""
    covered = {key: manifest[key] for key in ("format", "format_version",
                                              "class", "files")}
    return hashlib.sha256(_json_bytes(covered)).hexdigest()


# -- save -------------------------------------------------------------------


def save(estimator, path):
    """Save an estimator to a file that :func:`load` reads without running code.

    The file is a zip archive of JSON (parameters, fitted attributes,
    training history), an ``.npz`` of NumPy arrays and the network's weights
    as tensors, with the SHA-256 digest of each part. Unlike a pickle, it
    holds no code, so it is safe to load a file from someone you do not
    trust: see :func:`load`.

    Parameters
    ----------
    estimator : estimator instance
        A public sklearn-rnn estimator or transformer, fitted or not. Its
        parameters must be plain data: ``callbacks`` must be None and
        ``random_state`` an int or None.

    path : str or path-like
        Where to write; an existing file is replaced.

    Returns
    -------
    digest : str
        The file's SHA-256 content digest (hex). Publish it with the file:
        ``load(path, digest=digest)`` then proves the contents are the ones
        you saved.

    Raises
    ------
    TypeError
        If the estimator is not a public sklearn-rnn estimator, or a
        parameter or fitted attribute is not plain data (e.g. callbacks).

    See Also
    --------
    load : Read the file back.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from sklearn_rnn import RNNRegressor, load, save
    >>> rng = np.random.default_rng(0)
    >>> X, y = rng.normal(size=(40, 5)), rng.normal(size=40)
    >>> reg = RNNRegressor(hidden_size=8, max_epochs=2, random_state=0).fit(X, y)
    >>> path = os.path.join(tempfile.mkdtemp(), "model.skrnn")
    >>> digest = save(reg, path)
    >>> same = load(path, digest=digest)
    >>> bool(np.array_equal(same.predict(X), reg.predict(X)))
    True
    """
    name = type(estimator).__name__
    if _estimator_classes().get(name) is not type(estimator):
        raise TypeError(
            "save stores public sklearn-rnn estimators only (the class is "
            f"looked up by name when loading). Got a {type(estimator).__module__}"
            f".{name} instead."
        )
    encoder = _Encoder()
    params = estimator.get_params(deep=False)
    members = {
        _PARAMS: _json_bytes({
            key: encoder.encode(value, f"parameter {key!r}", _HINTS.get(key, ""))
            for key, value in params.items()
        }),
    }
    state = {
        key: encoder.encode(value, f"fitted attribute {key!r}")
        for key, value in vars(estimator).items()
        if key not in params and key not in _NET_ATTRIBUTES
    }
    net = getattr(estimator, "net_", None)
    if net is not None:
        members[_HISTORY] = json.dumps(
            list(estimator.history_), default=_history_default
        ).encode()
        criterion = net.criterion_
        weights = {
            "module": net.module_.state_dict(),
            "optimizer": net.optimizer_.state_dict(),
            "criterion": criterion.state_dict(),
        }
        state["__criterion__"] = (
            f"{type(criterion).__module__}:{type(criterion).__qualname__}"
        )
        buffer = io.BytesIO()
        torch.save(weights, buffer)
        members[_WEIGHTS] = buffer.getvalue()
    members[_STATE_JSON] = _json_bytes(state)
    buffer = io.BytesIO()
    np.savez(buffer, **encoder.arrays)
    members[_STATE_ARRAYS] = buffer.getvalue()

    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "class": name,
        "files": {member: hashlib.sha256(data).hexdigest()
                  for member, data in members.items()},
    }
    manifest["digest"] = _digest(manifest)
    manifest["written_by"] = {"sklearn_rnn": __version__,
                              "torch": torch.__version__,
                              "numpy": np.__version__}
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    # Written beside the target and renamed, so a crash never leaves half a
    # file under the final name.
    fd, tmp = tempfile.mkstemp(dir=directory, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f, zipfile.ZipFile(
                f, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(_MANIFEST, _json_bytes(manifest))
            for member, data in members.items():
                archive.writestr(member, data)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    return manifest["digest"]


# -- load -------------------------------------------------------------------


def _read_verified(path, digest):
    """Members of the archive, after checking format, version and digests."""
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise ModelFileError(
            f"{os.fspath(path)!r} is not a sklearn-rnn model file: it is not a "
            "zip archive. Files written by sklearn_rnn.save are."
        ) from exc
    with archive:
        names = archive.namelist()
        if _MANIFEST not in names:
            raise ModelFileError(
                f"{os.fspath(path)!r} is not a sklearn-rnn model file: it has no "
                f"{_MANIFEST}."
            )
        try:
            manifest = json.loads(archive.read(_MANIFEST))
        except ValueError as exc:
            raise ModelFileError(f"The manifest is not valid JSON: {exc}.") from exc
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise ModelFileError(
                f"{os.fspath(path)!r} is not a sklearn-rnn model file: its "
                f"manifest does not declare format {FORMAT!r}."
            )
        version = manifest.get("format_version")
        if version != FORMAT_VERSION:
            newer = isinstance(version, int) and version > FORMAT_VERSION
            raise ModelFileError(
                f"Incompatible model file: it has format version {version!r} "
                f"and this sklearn-rnn reads version {FORMAT_VERSION}. "
                + ("Upgrade sklearn-rnn to load it." if newer else
                   "Load it with the sklearn-rnn that wrote it and save it "
                   "again.")
            )
        files = manifest.get("files")
        if not isinstance(files, dict) or not all(
                isinstance(v, str) for v in files.values()):
            raise ModelFileError("The manifest's list of files is malformed.")
        expected = set(files) | {_MANIFEST}
        if set(names) != expected or len(names) != len(expected):
            raise ModelFileError(
                "The model file was modified: its members "
                f"{sorted(names)} are not the ones its manifest lists "
                f"{sorted(expected)}."
            )
        members = {}
        for member, recorded in files.items():
            data = archive.read(member)
            if hashlib.sha256(data).hexdigest() != recorded:
                raise ModelFileError(
                    f"The model file was modified or corrupted: the SHA-256 "
                    f"digest of {member} does not match the one recorded when "
                    "it was saved. Do not use it; get a fresh copy."
                )
            members[member] = data
    actual = _digest(manifest)
    if manifest.get("digest") != actual:
        raise ModelFileError(
            "The model file was modified: its manifest does not match the "
            "digest recorded when it was saved."
        )
    if digest is not None and digest != actual:
        raise ModelFileError(
            f"The model file's digest {actual} is not the expected {digest}: "
            "it is not the file that was published. Do not use it."
        )
    return manifest, members


def _criterion(spec, tensors):
    """The loss named by ``spec``, if it is an imported torch or sklearn-rnn loss."""
    module_name, _, qualname = str(spec).partition(":")
    allowed = module_name in _LOSS_MODULES or module_name.startswith("sklearn_rnn.")
    module = sys.modules.get(module_name) if allowed else None
    cls = getattr(module, qualname, None) if "." not in qualname else None
    if not (isinstance(cls, type) and issubclass(cls, torch.nn.Module)):
        raise ModelFileError(
            f"The model file names the loss {spec!r}, which is not one of the "
            "torch.nn or sklearn-rnn losses this version can build."
        )
    return cls(**tensors)


def load(path, *, digest=None, device=None):
    """Load an estimator written by :func:`save`, running no code from the file.

    Safe for files from strangers: nothing in the file is executed. The
    JSON members go through :mod:`json`; arrays through :func:`numpy.load`
    with ``allow_pickle=False``; tensors through
    ``torch.load(weights_only=True)``, whose unpickler only rebuilds tensors
    and plain containers; the estimator class is looked up by name among
    sklearn-rnn's public estimators and the loss class among imported
    ``torch.nn`` and sklearn-rnn losses. A pickle or joblib file, by
    contrast, calls whatever the file names while it loads.

    Every part is checked against the SHA-256 digests in the file's
    manifest before it is read, which catches corruption and edits made
    without recomputing the digests. A digest stored in the file cannot
    prove who wrote it; pass ``digest`` (as returned by :func:`save` and
    published by a source you trust) for that. Loading a hostile file can
    still cost memory (large arrays), never code execution.

    Parameters
    ----------
    path : str or path-like
        A file written by :func:`save`.

    digest : str or None, default=None
        When given, the content digest the file must have.

    device : {"cpu", "cuda", "auto"} or None, default=None
        Overrides the saved ``device`` parameter, e.g. to load on a CPU a
        model trained on a GPU. Only for estimators with a network (a
        ``device`` parameter).

    Returns
    -------
    estimator : estimator instance
        The estimator, fitted as it was saved: same predictions, same
        ``history_``; ``warm_start=True`` continues training from the saved
        optimizer state.

    Raises
    ------
    ModelFileError
        If the file is not a sklearn-rnn model file, has an incompatible
        format version, or its contents do not match their digests.
    ValueError
        If ``device`` is given for an estimator without a network.

    See Also
    --------
    save : Write the file.

    Examples
    --------
    >>> import os, tempfile
    >>> from sklearn_rnn import NaiveForecaster, load, save
    >>> from sklearn_rnn.datasets import load_airline
    >>> y = load_airline()
    >>> naive = NaiveForecaster(strategy="seasonal", sp=12, horizon=3).fit(y)
    >>> path = os.path.join(tempfile.mkdtemp(), "naive.skrnn")
    >>> digest = save(naive, path)
    >>> load(path, digest=digest).forecast(y)
    month
    1961-01-01    417.0
    1961-02-01    391.0
    1961-03-01    419.0
    Freq: MS, Name: passengers, dtype: float64

    A file that is not the one published is refused before anything in it
    is read:

    >>> load(path, digest="0" * 64)
    Traceback (most recent call last):
    ...
    sklearn_rnn.exceptions.ModelFileError: The model file's digest ... is not ...
    """
    manifest, members = _read_verified(path, digest)
    cls = _estimator_classes().get(manifest.get("class"))
    if cls is None:
        raise ModelFileError(
            f"The model file holds a {manifest.get('class')!r}, which is not a "
            "public sklearn-rnn estimator of this version."
        )
    try:
        with np.load(io.BytesIO(members[_STATE_ARRAYS]), allow_pickle=False) as npz:
            arrays = {key: npz[key] for key in npz.files}
        params = _decode_members(json.loads(members[_PARAMS]), arrays)
        state = _decode_members(json.loads(members[_STATE_JSON]), arrays)
    except (ValueError, KeyError, TypeError) as exc:
        raise ModelFileError(f"The model file's data is malformed: {exc}.") from exc
    if device is not None:
        if "device" not in params:
            raise ValueError(
                f"device moves a network, but the model file holds a "
                f"{cls.__name__}, which has none. Got device={device!r} "
                "instead; load it with device=None."
            )
        params["device"] = device
    try:
        estimator = cls(**params)
    except TypeError as exc:
        raise ModelFileError(
            f"The model file's parameters do not fit {cls.__name__}: {exc}. "
            "It was written by another version of sklearn-rnn."
        ) from exc
    if hasattr(estimator, "_validate_params"):
        estimator._validate_params()
    criterion_spec = state.pop("__criterion__", None)
    for key, value in state.items():
        if not _ATTRIBUTE_NAME.match(key) or key.startswith("__") or hasattr(cls, key):
            raise ModelFileError(
                f"The model file sets the attribute {key!r}, which is not a "
                f"fitted attribute of {cls.__name__}."
            )
        setattr(estimator, key, value)
    if _WEIGHTS in members:
        _restore_net(estimator, members, criterion_spec)
    return estimator


def _restore_net(estimator, members, criterion_spec):
    """Rebuild the skorch net from the saved weights, optimizer and history."""
    from skorch.history import History

    from ._net import build_net, network_layout

    try:
        weights = torch.load(io.BytesIO(members[_WEIGHTS]), map_location="cpu",
                             weights_only=True)
    except Exception as exc:  # torch raises UnpicklingError, RuntimeError...
        raise ModelFileError(
            "The model file's weights are not plain tensors; the weights-only "
            f"loader refused them: {str(exc).splitlines()[0]}"
        ) from exc
    if not (isinstance(weights, dict)
            and {"module", "optimizer", "criterion"} <= set(weights)):
        raise ModelFileError("The model file's weights are malformed.")
    history = json.loads(members[_HISTORY])
    if not (isinstance(history, list) and all(isinstance(r, dict) for r in history)):
        raise ModelFileError("The model file's training history is malformed.")
    criterion = _criterion(criterion_spec, weights["criterion"])
    if network_layout(estimator) is None:
        raise ModelFileError("The model file has weights but no network layout.")
    net = build_net(estimator, criterion, trained={
        "module": weights["module"], "optimizer": weights["optimizer"],
        "history": History(history),
    })
    estimator.net_ = net
    estimator.history_ = net.history_
