import copy

import numpy as np
import pytest
import torch

from sklearn_rnn._datasets import SequenceDataset
from sklearn_rnn._modules import RecurrentNetwork
from sklearn_rnn._one_se import loss_gains, sample_losses


@pytest.mark.parametrize("own", [True, False])
def test_loss_gains_are_the_differences_of_the_sample_losses(own):
    torch.manual_seed(0)
    module = RecurrentNetwork(input_size=2, output_size=3, cell="gru",
                              hidden_size=4)
    start = copy.deepcopy(module.state_dict())
    other = {key: value + 0.1 for key, value in start.items()}
    module.load_state_dict({key: value - 0.1 for key, value in start.items()})
    fitted = copy.deepcopy(module.state_dict())
    y = torch.randn(23, 3)
    y[0, 1] = float("nan")  # an unknown target value, left out of the mean
    dataset = SequenceDataset(torch.randn(23, 5, 2), torch.randint(1, 6, (23,)), y)
    state = None if own else other
    gains = loss_gains(module, dataset, start, state=state, block=4, device="cpu")
    expected = (sample_losses(module, dataset, block=4, device="cpu", state=start)
                - sample_losses(module, dataset, block=4, device="cpu", state=state))
    np.testing.assert_array_equal(gains, expected)
    assert np.all(gains != 0)
    for key, value in module.state_dict().items():  # the module keeps its weights
        torch.testing.assert_close(value, fitted[key], rtol=0, atol=0)
