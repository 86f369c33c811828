"""Use cases: each public method is one thing a person does, in one transaction.

Services take what a person typed (amount text, time text), call the domain to check and
compute, and the stores to persist. Interfaces (CLI, later web) stay thin adapters over them.
"""
