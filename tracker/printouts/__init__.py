"""Printouts: a summary, the 台账 ledger and overdue notices, in several formats.

`assembly` gathers each printout's data; each renderer turns that data into one format.
"""
