"""mitra: a private, evidence-based companion for opioid withdrawal.

The package is layered: interfaces (``mitra.cli``) call services (``mitra.services``), which
own transactions and call the pure domain (``mitra.domain``) and storage (``mitra.storage``).
The domain imports no framework, database or filesystem module.
"""

__version__ = "0.1.0"
