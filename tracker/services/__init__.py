"""Use cases as plain functions that take a session: seed, query, update, import."""
