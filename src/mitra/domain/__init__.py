"""The pure domain: records, catalogues, scoring and calculations.

Invariant: nothing in this package imports a web framework, a database driver or SQLAlchemy,
and nothing writes files; the only files read are the package's own reviewed data files
(``mitra/data``), through ``importlib.resources``.
"""
