"""The token-id convention shared by text input and the estimators.

:class:`~sklearn_rnn.TextToSequences` writes token ids with it, and the
sequence estimators read them back: ``PADDING_ID`` at the start or end of a
sequence is padding (the embedding's ``padding_idx``), ``UNKNOWN_ID`` stands
for a token not seen in ``fit``, and real tokens start at ``FIRST_TOKEN_ID``.
"""

PADDING_ID = 0
UNKNOWN_ID = 1
FIRST_TOKEN_ID = 2
