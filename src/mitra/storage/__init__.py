"""Persistence: SQLAlchemy Core tables, the database connection and row <-> record mapping.

Storage knows the domain records; the domain knows nothing of storage. Services open
transactions (``Database.transaction``) and hand the connection to the stores.
"""
