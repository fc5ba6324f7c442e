"""The scan layers of _cells: exactly nn.RNN / nn.GRU, on every path."""

import numpy as np
import pytest
import torch
from numpy.testing import assert_array_equal
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

from sklearn_rnn import GRUForecaster, RNNRegressor
from sklearn_rnn import _cells
from sklearn_rnn._modules import RecurrentNetwork

ATOL = 1e-4
# (scan layer, torch layer, keyword arguments)
LAYERS = {
    "rnn-tanh": (_cells.ScanRNN, nn.RNN, {"nonlinearity": "tanh"}),
    "rnn-relu": (_cells.ScanRNN, nn.RNN, {"nonlinearity": "relu"}),
    "gru": (_cells.ScanGRU, nn.GRU, {}),
}


@pytest.fixture(params=["compiled", "torch"])
def backend(request, monkeypatch):
    """Runs a test with the compiled GRU loops, then with the torch fallback."""
    if request.param == "compiled":
        if _cells.compiled_kernels() is None:
            pytest.skip("no C++ toolchain: the compiled GRU loops are unavailable")
    else:
        monkeypatch.setitem(_cells._kernel_state, "ops", None)
    return request.param


def _pair(name, input_size=3, hidden_size=16, **kwargs):
    scan_cls, torch_cls, extra = LAYERS[name]
    torch.manual_seed(0)
    scan = scan_cls(input_size, hidden_size, batch_first=True, **extra, **kwargs)
    torch.manual_seed(0)
    ref = torch_cls(input_size, hidden_size, batch_first=True, **extra, **kwargs)
    return scan, ref


def _outputs_and_gradients(module, x, weights):
    x = x.detach().clone().requires_grad_(True)
    out, h_n = module(x)
    loss = (out * weights[0]).sum() + (h_n * weights[1]).sum()
    grads = torch.autograd.grad(loss, [x, *module.parameters()])
    return [out, h_n, *grads]


def _assert_close(got, expected):
    assert len(got) == len(expected)
    for a, b in zip(got, expected):
        assert a.shape == b.shape
        torch.testing.assert_close(a, b, atol=ATOL, rtol=0)


@pytest.mark.parametrize("name", list(LAYERS))
@pytest.mark.parametrize("num_layers", [1, 2])
def test_outputs_states_and_gradients_match_torch(name, num_layers, backend):
    scan, ref = _pair(name, num_layers=num_layers)
    torch.manual_seed(1)
    x = torch.randn(7, 11, 3)
    weights = (torch.randn(7, 11, 16), torch.randn(num_layers, 7, 16))
    _assert_close(_outputs_and_gradients(scan, x, weights),
                  _outputs_and_gradients(ref, x, weights))


@pytest.mark.parametrize("name", list(LAYERS))
def test_inference_matches_torch(name, backend):
    scan, ref = _pair(name, num_layers=2)
    x = torch.randn(5, 9, 3)
    with torch.inference_mode():
        _assert_close(scan(x), ref(x))
    with torch.no_grad():
        _assert_close(scan(x[:1]), ref(x[:1]))


@pytest.mark.parametrize("grad", [True, False])
def test_gru_keeps_every_steps_gates_only_for_a_backward(grad, monkeypatch):
    # Without gradients the compiled loop holds one step's gates, not the
    # sequence's (three times the outputs); the outputs are the same.
    ops = _cells.compiled_kernels()
    if ops is None:
        pytest.skip("no C++ toolchain: the compiled GRU loops are unavailable")
    saved = []

    class Recording:
        def gru_forward(self, *args):
            saved.append(args[-1])
            return ops.gru_forward(*args)

    scan, _ = _pair("gru", num_layers=2)
    x = torch.randn(5, 9, 3)
    expected = scan(x)[0].detach()
    monkeypatch.setitem(_cells._kernel_state, "ops", Recording())
    with torch.set_grad_enabled(grad):
        out = scan(x)[0]
    assert saved == [grad, grad]
    assert_array_equal(out.detach().numpy(), expected.numpy())


@pytest.mark.parametrize("num_layers", [1, 2])
def test_gru_last_states_are_the_outputs_at_each_last_step(num_layers, backend):
    # Without gradients the compiled loop keeps two steps' outputs and each
    # sequence's at its last step: the same values as the layer's outputs.
    scan, _ = _pair("gru", num_layers=num_layers)
    scan.eval()
    x = torch.randn(7, 6, 3)
    lengths = torch.tensor([6, 1, 3, 6, 2, 5, 4])
    with torch.no_grad():
        out = scan(x)[0]
        last, final = scan.last_states(x, lengths), scan.last_states(x)
    if backend == "torch":
        assert last is None and final is None  # the caller runs the layer
        return
    assert_array_equal(last.numpy(), out[torch.arange(7), lengths - 1].numpy())
    assert_array_equal(final.numpy(), out[:, -1].numpy())
    assert scan.last_states(x.requires_grad_()) is None  # gradients: the layer
    with torch.no_grad(), pytest.raises(RuntimeError, match="lengths"):
        scan.last_states(x, lengths + 1)


@pytest.mark.parametrize("name", list(LAYERS))
def test_gradcheck_in_float64(name, backend):
    scan, _ = _pair(name, input_size=2, hidden_size=3, num_layers=2)
    scan = scan.double()
    names = [key for key, _ in scan.named_parameters()]
    params = [p.detach().clone().requires_grad_(True) for p in scan.parameters()]
    x = torch.randn(2, 4, 2, dtype=torch.float64, requires_grad=True)

    def run(x, *weights):
        return torch.func.functional_call(scan, dict(zip(names, weights)), (x,))

    assert torch.autograd.gradcheck(run, (x, *params))


@pytest.mark.parametrize("name", list(LAYERS))
def test_variable_lengths_match_packed_torch_layer(name, backend):
    # RecurrentNetwork runs one-way layers on the padded batch and reads
    # each sequence's state at its last real step; torch's layer on the
    # packed batch is the reference.
    cell = name.split("-")[0]
    nonlinearity = LAYERS[name][2].get("nonlinearity", "tanh")
    torch.manual_seed(0)
    net = RecurrentNetwork(input_size=3, output_size=2, cell=cell, hidden_size=16,
                           num_layers=2, nonlinearity=nonlinearity, head="every")
    assert isinstance(net.body.rnn, LAYERS[name][0])
    _, torch_cls, extra = LAYERS[name]
    ref = torch_cls(3, 16, num_layers=2, batch_first=True, **extra)
    ref.load_state_dict(net.body.rnn.state_dict())
    lengths = torch.tensor([9, 4, 1, 7, 9, 2])
    x = torch.randn(6, 9, 3)
    steps = torch.arange(9)[None, :, None]
    x = x * (steps < lengths[:, None, None])

    out, last = net.body(x, lengths)
    packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
    ref_out, ref_h = ref(packed)
    torch.testing.assert_close(last, ref_h[-1], atol=ATOL, rtol=0)
    for i, n in enumerate(lengths):
        torch.testing.assert_close(out[i, :n], ref(x[i:i + 1, :n])[0][0],
                                   atol=ATOL, rtol=0)
        assert torch.all(out[i, n:] == 0)

    weight = torch.randn_like(last)
    got = torch.autograd.grad((last * weight).sum(), list(net.body.parameters()))
    expected = torch.autograd.grad((ref_h[-1] * weight).sum(), list(ref.parameters()))
    _assert_close(list(got), list(expected))


@pytest.mark.parametrize("name", list(LAYERS))
def test_dropout_between_layers(name, backend):
    # p=1 zeroes the second layer's input in training: exactly comparable.
    scan, ref = _pair(name, num_layers=2, dropout=1.0)
    x = torch.randn(4, 6, 3)
    weights = (torch.randn(4, 6, 16), torch.randn(2, 4, 16))
    _assert_close(_outputs_and_gradients(scan, x, weights),
                  _outputs_and_gradients(ref, x, weights))
    scan.eval(), ref.eval()
    _assert_close(_outputs_and_gradients(scan, x, weights),
                  _outputs_and_gradients(ref, x, weights))


@pytest.mark.parametrize("name", list(LAYERS))
@pytest.mark.parametrize("case", ["bidirectional", "initial state", "packed",
                                  "unbatched", "time first", "float64"])
def test_other_cases_match_torch(name, case, backend):
    kwargs = {"bidirectional": True} if case == "bidirectional" else {}
    scan, ref = _pair(name, **kwargs)
    x = torch.randn(3, 5, 3)
    args_scan = args_ref = (x,)
    if case == "initial state":
        args_scan = args_ref = (x, torch.randn(1, 3, 16))
    elif case == "packed":
        args_scan = args_ref = (pack_padded_sequence(x, [5, 2, 3], batch_first=True,
                                                     enforce_sorted=False),)
    elif case == "unbatched":
        args_scan = args_ref = (x[0],)
    elif case == "time first":
        scan.batch_first = ref.batch_first = False
    elif case == "float64":
        scan, ref = scan.double(), ref.double()
        args_scan = args_ref = (x.double(),)
    got, expected = scan(*args_scan), ref(*args_ref)
    if case == "packed":
        got, expected = (got[0].data, got[1]), (expected[0].data, expected[1])
    _assert_close(list(got), list(expected))


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_recurrent_network_keeps_torch_parameters(cell):
    torch.manual_seed(0)
    net = RecurrentNetwork(input_size=2, output_size=1, cell=cell, hidden_size=4)
    torch.manual_seed(0)
    torch_cls = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[cell]
    ref = torch_cls(2, 4, batch_first=True)
    state, ref_state = net.body.rnn.state_dict(), ref.state_dict()
    assert list(state) == list(ref_state)
    for key in state:
        assert torch.equal(state[key], ref_state[key])


def test_no_compiler_falls_back_to_torch(monkeypatch):
    monkeypatch.setattr(_cells, "_kernel_state", {})
    monkeypatch.setattr(_cells.shutil, "which", lambda name: None)
    assert _cells.compiled_kernels() is None
    monkeypatch.setattr(_cells, "_kernel_state", {})
    monkeypatch.setenv("SKLEARN_RNN_CELL_KERNELS", "0")
    assert _cells.compiled_kernels() is None


def test_first_build_is_announced_and_cached_one_is_not(monkeypatch, tmp_path, caplog):
    from torch.utils import cpp_extension

    built = []
    monkeypatch.setattr(_cells.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(cpp_extension, "_get_build_directory",
                        lambda name, verbose: str(tmp_path))
    monkeypatch.setattr(cpp_extension, "load_inline",
                        lambda name, *args, **kwargs: built.append(name))
    with caplog.at_level("WARNING", logger=_cells.__name__):
        _cells._build_kernels()
    assert "compiling the GRU cell's C++ loops" in caplog.text
    assert "SKLEARN_RNN_CELL_KERNELS=0" in caplog.text

    caplog.clear()
    (tmp_path / f"{built[0]}.so").touch()
    with caplog.at_level("WARNING", logger=_cells.__name__):
        _cells._build_kernels()
    assert caplog.text == ""
    assert len(built) == 2


def test_cached_build_loads_without_torchs_build_lock(monkeypatch):
    # load_inline waits on a lock file that an interrupted process may leave.
    if _cells.compiled_kernels() is None:
        pytest.skip("no C++ toolchain: the compiled GRU loops are unavailable")
    from torch.utils import cpp_extension

    def locked(*args, **kwargs):
        raise AssertionError("a cached build must not go through load_inline")

    monkeypatch.setattr(cpp_extension, "load_inline", locked)
    assert _cells._build_kernels() is not None


@pytest.mark.parametrize("backend_name", ["compiled", "torch"])
def test_fallback_matches_compiled_loops(backend_name, monkeypatch):
    if _cells.compiled_kernels() is None:
        pytest.skip("no C++ toolchain: the compiled GRU loops are unavailable")
    scan, _ = _pair("gru", num_layers=2)
    x = torch.randn(4, 6, 3)
    weights = (torch.randn(4, 6, 16), torch.randn(2, 4, 16))
    compiled = _outputs_and_gradients(scan, x, weights)
    monkeypatch.setitem(_cells._kernel_state, "ops", None)
    _assert_close(_outputs_and_gradients(scan, x, weights), compiled)


@pytest.mark.parametrize("cell", ["rnn", "gru"])
def test_random_state_fits_are_identical(cell, backend):
    series = np.sin(np.arange(120) / 5.0)
    params = {"cell": cell, "window": 8, "hidden_size": 8, "max_epochs": 2,
              "num_layers": 2, "dropout": 0.3, "random_state": 0}
    first = GRUForecaster(**params).fit(series).predict(series)
    second = GRUForecaster(**params).fit(series).predict(series)
    assert_array_equal(first, second)

    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 6, 2))
    y = X.sum(axis=(1, 2))
    model = {"cell": cell, "hidden_size": 8, "max_epochs": 2, "random_state": 0}
    assert_array_equal(RNNRegressor(**model).fit(X, y).predict(X),
                       RNNRegressor(**model).fit(X, y).predict(X))


@pytest.mark.parametrize("layer", [_cells.ScanRNN, _cells.ScanGRU])
def test_empty_batch_goes_to_the_torch_layer(layer):
    # The compiled GRU loop divided by the batch size.
    torch.manual_seed(0)
    module = layer(3, 4, batch_first=True)
    output, state = module(torch.zeros(0, 5, 3))
    assert output.shape == (0, 5, 4) and state.shape == (1, 0, 4)
