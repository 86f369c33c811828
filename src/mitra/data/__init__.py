"""Reviewed data files (TOML) that a clinician can read without reading Python.

Every threshold, potency, catalogue entry and claim here carries a source id that resolves in
``sources.toml``; where evidence is weak or absent the entry says so in ``strength``.
"""
