"""The command-line interface: thin click commands over the services.

Heavy modules (SQLAlchemy, pint) are imported inside commands, so ``mitra --help``
stays fast.
"""
