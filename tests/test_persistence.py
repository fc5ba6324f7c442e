"""Round trips through pickle, joblib and sklearn_rnn.save/load, and refusals."""

import hashlib
import io
import json
import pickle
import zipfile

import joblib
import numpy as np
import pytest
import torch
from sklearn.linear_model import LinearRegression

import sklearn_rnn
from sklearn_rnn import (
    ConvGRUForecaster,
    GRUForecaster,
    LSTMClassifier,
    NaiveForecaster,
    RepeatVector,
    RNNRegressor,
    SlidingWindows,
    TextToSequences,
    ToSequences,
    load,
    save,
)
from sklearn_rnn._persistence import _digest
from sklearn_rnn.exceptions import ModelFileError

FAST = {"hidden_size": 8, "max_epochs": 2, "random_state": 0}
RNG = np.random.default_rng(0)
X2 = RNG.normal(size=(40, 6))
X_LIST = [RNG.normal(size=(n, 2)) for n in (3, 5, 4, 6) * 5]
SERIES = np.sin(np.arange(80) / 4.0) + np.arange(80) / 40.0
TEXT = ["the cat sat", "the dog ran far", "a cat ran", "dogs sat down"]

# (estimator, X, y) for every public estimator and transformer.
CASES = {
    "RNNRegressor": (RNNRegressor(**FAST), X2, X2.sum(axis=1)),
    "RNNRegressor-every-step": (
        RNNRegressor(**FAST, cell="gru"), X_LIST,
        [np.cumsum(x[:, :1], axis=0) for x in X_LIST],
    ),
    "LSTMClassifier": (
        LSTMClassifier(**FAST, class_weight="balanced"), X_LIST,
        np.array(["low", "high"] * 10),
    ),
    "GRUForecaster": (GRUForecaster(**FAST, window=6, horizon=2), SERIES, None),
    "ConvGRUForecaster": (
        ConvGRUForecaster(**FAST, window=6, strategy="recursive"), SERIES, None),
    "NaiveForecaster": (NaiveForecaster(strategy="drift"), SERIES, None),
    "SlidingWindows": (SlidingWindows(window=3), X2, None),
    "RepeatVector": (RepeatVector(n_steps=2), X2, None),
    "ToSequences": (ToSequences(n_timesteps=3), X2, None),
    "TextToSequences": (TextToSequences(), TEXT, None),
}


def _fitted(name):
    estimator, X, y = CASES[name]
    if not hasattr(estimator, "n_features_in_") and not hasattr(
            estimator, "vocabulary_"):
        if isinstance(X, list) and y is not None and isinstance(y, list):
            # Every-step targets ride along as a list padded like X.
            y = _pad(y)
        estimator.fit(X, y)
    return estimator, X


def _pad(seqs):
    n_steps = max(len(s) for s in seqs)
    out = np.full((len(seqs), n_steps, seqs[0].shape[1]), np.nan)
    for i, s in enumerate(seqs):
        out[i, : len(s)] = s
    return out


def _output(estimator, X):
    out = (estimator.predict(X) if hasattr(estimator, "predict")
           else estimator.transform(X))
    if isinstance(out, list):
        return [np.asarray(o) for o in out]
    return np.asarray(out)


def _assert_same_output(a, b):
    if isinstance(a, list):
        assert len(a) == len(b)
        for u, v in zip(a, b):
            np.testing.assert_array_equal(u, v)
    else:
        np.testing.assert_array_equal(a, b)


def test_cases_cover_every_public_estimator():
    public = {
        name for name in sklearn_rnn.__all__
        if isinstance(getattr(sklearn_rnn, name), type)
    }
    assert public <= {name.split("-")[0] for name in CASES}


@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.parametrize("method", ["pickle", "joblib", "save"])
def test_round_trip_predicts_identically(name, method, tmp_path):
    estimator, X = _fitted(name)
    path = tmp_path / "model"
    if method == "pickle":
        restored = pickle.loads(pickle.dumps(estimator))
    elif method == "joblib":
        joblib.dump(estimator, path)
        restored = joblib.load(path)
    else:
        digest = save(estimator, path)
        restored = load(path, digest=digest)
    assert type(restored) is type(estimator)
    assert restored.get_params().keys() == estimator.get_params().keys()
    _assert_same_output(_output(restored, X), _output(estimator, X))
    if hasattr(estimator, "history_"):
        assert restored.n_iter_ == estimator.n_iter_
        assert restored.history_[:, "train_loss"] == estimator.history_[
            :, "train_loss"]


def test_loaded_estimator_keeps_params_and_fitted_attributes(tmp_path):
    clf, X = _fitted("LSTMClassifier")
    save(clf, tmp_path / "m")
    loaded = load(tmp_path / "m")
    assert loaded.get_params() == clf.get_params()
    np.testing.assert_array_equal(loaded.classes_, clf.classes_)
    assert loaded.classes_.dtype == clf.classes_.dtype
    assert loaded.n_features_in_ == clf.n_features_in_
    np.testing.assert_allclose(loaded.predict_proba(X), clf.predict_proba(X))


def test_warm_start_continues_after_load(tmp_path):
    reg = RNNRegressor(**FAST).fit(X2, X2.sum(axis=1))
    save(reg, tmp_path / "m")
    loaded = load(tmp_path / "m").set_params(warm_start=True)
    loaded.fit(X2, X2.sum(axis=1))
    assert loaded.n_iter_ == reg.n_iter_ + 2
    # The optimizer state travelled too: continuing the original and the
    # loaded copy gives the same weights.
    reg.set_params(warm_start=True).fit(X2, X2.sum(axis=1))
    np.testing.assert_allclose(loaded.predict(X2), reg.predict(X2), rtol=1e-5)


@pytest.mark.parametrize("layout", ["multiindex", "list"])
def test_panel_fit_round_trips_with_its_series_ends(layout, tmp_path):
    import pandas as pd

    walks = [np.cumsum(RNG.normal(size=n)) for n in (30, 25, 40)]
    index = [pd.period_range("2000-01", periods=len(w), freq="M", name="month")
             for w in walks]
    if layout == "multiindex":
        whole = pd.concat({k: pd.Series(w, index=i, name="y")
                           for k, (w, i) in enumerate(zip(walks, index))},
                          names=["id", "month"])
        head = whole.groupby(level=0, group_keys=False).apply(lambda s: s[:-4])
        tail = whole.groupby(level=0, group_keys=False).apply(lambda s: s[-4:])
    else:
        head, tail = [w[:-4] for w in walks], [w[-4:] for w in walks]
    model = GRUForecaster(window=5, horizon=2, **FAST).fit(head)
    save(model, tmp_path / "m")
    loaded = load(tmp_path / "m")
    # A MultiIndex tail continues each series from its fitted end.
    for method in ("predict", "forecast"):
        np.testing.assert_array_equal(np.asarray(getattr(loaded, method)(tail)),
                                      np.asarray(getattr(model, method)(tail)))
    loaded.set_params(warm_start=True).fit(head)
    assert loaded.n_iter_ == model.n_iter_ + 2


def test_load_device_override(tmp_path):
    reg, X = _fitted("RNNRegressor")
    save(reg, tmp_path / "m")
    loaded = load(tmp_path / "m", device="cpu")
    assert loaded.device == "cpu"
    np.testing.assert_array_equal(loaded.predict(X), reg.predict(X))


def test_load_device_of_an_estimator_without_a_network_blames_device(tmp_path):
    # Not the file: it was written by this version and is intact.
    save(NaiveForecaster().fit(SERIES), tmp_path / "naive")
    with pytest.raises(ValueError, match="device moves a network, but the model "
                                         "file holds a NaiveForecaster"):
        load(tmp_path / "naive", device="cpu")
    assert load(tmp_path / "naive").strategy == "last"


def test_save_refuses_callbacks_with_a_clear_error(tmp_path):
    from skorch.callbacks import EpochTimer

    reg = RNNRegressor(callbacks=[EpochTimer()])
    with pytest.raises(TypeError, match=r"parameter 'callbacks'.*Callbacks are "
                                        r"code.*callbacks=None"):
        save(reg, tmp_path / "m")
    assert not (tmp_path / "m").exists()


def test_save_refuses_random_state_instance(tmp_path):
    reg = RNNRegressor(random_state=np.random.RandomState(0))
    with pytest.raises(TypeError, match=r"parameter 'random_state'.*an int or None"):
        save(reg, tmp_path / "m")


def test_save_refuses_foreign_estimators(tmp_path):
    with pytest.raises(TypeError, match="public sklearn-rnn estimators only"):
        save(LinearRegression(), tmp_path / "m")


def test_numpy_scalars_in_params_round_trip(tmp_path):
    # GridSearchCV hands out NumPy scalars from np.logspace and friends.
    reg = RNNRegressor(lr=np.float32(0.01), hidden_size=np.int64(4))
    save(reg, tmp_path / "m")
    loaded = load(tmp_path / "m")
    assert loaded.lr == reg.lr and type(loaded.lr) is np.float32
    assert loaded.hidden_size == 4 and type(loaded.hidden_size) is np.int64


# -- tampering ----------------------------------------------------------------


def _rewrite(path, change, *, fix_digests):
    """Rewrite the archive at ``path`` with ``change(members)`` applied."""
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    manifest = json.loads(members.pop("manifest.json"))
    change(members, manifest)
    if fix_digests:
        manifest["files"] = {name: hashlib.sha256(data).hexdigest()
                             for name, data in members.items()}
        manifest["digest"] = _digest(manifest)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("manifest.json", json.dumps(manifest))
        for name, data in members.items():
            archive.writestr(name, data)


@pytest.fixture
def saved(tmp_path):
    reg = RNNRegressor(**FAST).fit(X2, X2.sum(axis=1))
    path = tmp_path / "model.skrnn"
    return path, save(reg, path)


def _flip_weight_byte(members, manifest):
    data = bytearray(members["weights.pt"])
    data[len(data) // 2] ^= 0xFF
    members["weights.pt"] = bytes(data)


def _edit_param(members, manifest):
    params = json.loads(members["params.json"])
    params["hidden_size"] = 9
    members["params.json"] = json.dumps(params).encode()


def _add_member(members, manifest):
    members["extra.py"] = b"print('hello')"


def _rename_class(members, manifest):
    manifest["class"] = "LSTMClassifier"


TAMPERING = {
    "weights byte flipped": (_flip_weight_byte,
                             r"digest of weights\.pt does not match"),
    "parameter edited": (_edit_param, r"digest of params\.json does not match"),
    "member added": (_add_member, r"members .* are not the ones its manifest lists"),
    "class renamed": (_rename_class, r"manifest does not match the digest"),
}


@pytest.mark.parametrize("case", list(TAMPERING))
def test_load_refuses_tampered_files(saved, case):
    path, _ = saved
    change, message = TAMPERING[case]
    _rewrite(path, change, fix_digests=False)
    with pytest.raises(ModelFileError, match=message):
        load(path)


def test_expected_digest_catches_consistent_tampering(saved):
    # An attacker can recompute the digests stored in the file; the digest
    # published by the model's author cannot be forged that way.
    path, digest = saved
    _rewrite(path, _edit_param, fix_digests=True)
    with pytest.raises(ModelFileError, match="not the expected"):
        load(path, digest=digest)


@pytest.mark.parametrize("version, message", [
    (2, "format version 2 .* reads version 1. Upgrade sklearn-rnn"),
    (0, "format version 0 .* Load it with the sklearn-rnn that wrote it"),
    ("1", "format version '1'"),
])
def test_load_refuses_incompatible_versions(saved, version, message):
    path, _ = saved

    def set_version(members, manifest):
        manifest["format_version"] = version

    _rewrite(path, set_version, fix_digests=True)
    with pytest.raises(ModelFileError, match=message):
        load(path)


def test_load_refuses_files_that_are_not_models(tmp_path):
    path = tmp_path / "not_a_model"
    path.write_bytes(pickle.dumps({"a": 1}))
    with pytest.raises(ModelFileError, match="not a zip archive"):
        load(path)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("data.json", "{}")
    with pytest.raises(ModelFileError, match="has no manifest.json"):
        load(path)


CALLS = []


def _record_call(argument):
    CALLS.append(argument)


class _Payload:
    """Unpickling this runs code (a call of _record_call)."""

    def __reduce__(self):
        return (_record_call, ("code ran",))


def test_payload_runs_code_when_unpickled():
    # The control: plain pickle does run the payload.
    pickle.loads(pickle.dumps(_Payload()))
    assert CALLS.pop() == "code ran"


def test_load_runs_no_code_from_a_malicious_file(saved):
    # The attacker controls every byte and recomputes every digest; the
    # pickle inside weights.pt is refused by torch's weights-only loader.
    path, _ = saved
    calls_before = len(CALLS)

    def plant_pickle(members, manifest):
        buffer = io.BytesIO()
        torch.save({"module": _Payload()}, buffer)
        members["weights.pt"] = buffer.getvalue()

    _rewrite(path, plant_pickle, fix_digests=True)
    with pytest.raises(ModelFileError, match="not plain tensors"):
        load(path)
    assert len(CALLS) == calls_before


@pytest.mark.parametrize("spec", ["os:system", "builtins:eval",
                                  "subprocess:Popen", "torch.nn.modules.loss:os"])
def test_load_refuses_a_loss_class_outside_the_allowlist(tmp_path, spec):
    reg = RNNRegressor(**FAST).fit(X2, X2.sum(axis=1))
    path = tmp_path / "m"
    save(reg, path)

    def set_loss(members, manifest):
        state = json.loads(members["state.json"])
        state["__criterion__"] = spec
        members["state.json"] = json.dumps(state).encode()

    _rewrite(path, set_loss, fix_digests=True)
    with pytest.raises(ModelFileError, match="names the loss"):
        load(path)


def test_load_refuses_an_unknown_estimator_class(saved):
    path, _ = saved

    def set_class(members, manifest):
        manifest["class"] = "Pipeline"

    _rewrite(path, set_class, fix_digests=True)
    with pytest.raises(ModelFileError, match="not a public sklearn-rnn estimator"):
        load(path)


def test_load_validates_parameters(saved):
    path, _ = saved

    def bad_param(members, manifest):
        params = json.loads(members["params.json"])
        params["dropout"] = 5.0
        members["params.json"] = json.dumps(params).encode()

    _rewrite(path, bad_param, fix_digests=True)
    with pytest.raises(ValueError, match="'dropout' parameter"):
        load(path)


def test_load_refuses_attributes_that_shadow_methods(saved):
    path, _ = saved

    def shadow(members, manifest):
        state = json.loads(members["state.json"])
        state["predict"] = "nope"
        members["state.json"] = json.dumps(state).encode()

    _rewrite(path, shadow, fix_digests=True)
    with pytest.raises(ModelFileError, match="attribute 'predict'"):
        load(path)
