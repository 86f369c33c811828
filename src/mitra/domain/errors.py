"""Errors for bad user input and missing things.

Every error names what was wrong and what is accepted, so an interface can show it as one
calm line. Interfaces map these to exit code 2 (CLI) or a 4xx status (web); nothing is
written when one is raised inside a service.
"""

from __future__ import annotations


class MitraError(Exception):
    """Base of every error mitra shows to a person rather than as a traceback."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message


class InputError(MitraError):
    """A value given by a person is not acceptable; the message says what is accepted."""


class NotFoundError(MitraError):
    """Something named by a person (a product, an entry id) does not exist."""


class ConflictError(MitraError):
    """The request clashes with what is stored (a duplicate name, an entry already deleted)."""
