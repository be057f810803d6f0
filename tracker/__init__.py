"""Track the commitments of a town's annual rule-of-law report."""

__version__ = "0.1.0"
