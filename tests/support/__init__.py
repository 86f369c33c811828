"""Shared test helpers: a private PostgreSQL cluster and an in-process CLI runner."""
