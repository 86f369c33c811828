"""Persistence: SQLAlchemy Core tables, the database connection and row <-> record mapping.

Storage knows the domain records; the domain knows nothing of storage. Services open
transactions (``Database.transaction``) and hand the connection to the stores.

``clinic_tables`` is imported here, with the package, so that ``schema.metadata`` holds the
clinic server's tables whichever storage module is imported first (Alembic's comparison, the
backup's schema check and the export walk all read that one metadata).
"""

from mitra.storage import clinic_tables as clinic_tables
