"""Small bundled data sets for examples and tests."""

from ._airline import load_airline

__all__ = ["load_airline"]
