"""Alembic migrations of the ledger's schema (run by `tracker db upgrade` and on start)."""
