"""pytest set-up shared by tests/ and the doctests in sklearn_rnn/."""

import torch

# The suite trains hundreds of tiny networks; for them a second intra-op
# thread only adds synchronisation, and on a busy 2-core machine it turns
# every matrix product into a wait.
torch.set_num_threads(1)
