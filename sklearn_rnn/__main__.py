"""Command-line demo: ``python -m sklearn_rnn``."""

import argparse
import sys


def main(argv=None):
    """Fit and score a sequence estimator on data shipped with the package."""
    parser = argparse.ArgumentParser(prog="sklearn-rnn", description=main.__doc__)
    parser.parse_args(argv)
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    from sklearn_rnn import LSTMClassifier, ToSequences

    X, y = load_digits(return_X_y=True)
    X = ToSequences(n_timesteps=8).fit_transform(X / 16.0)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, random_state=0, stratify=y)
    clf = LSTMClassifier(max_epochs=15, random_state=0).fit(X_train, y_train)
    print(f"LSTMClassifier, digits read row by row (8 steps of 8 pixels): "
          f"test accuracy {clf.score(X_test, y_test):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
