"""The one place where errors become HTTP responses, as JSON for the API and pages for people.

``MitraError`` (raised by services for anything a person can get wrong) maps to a status here
and nowhere else: ``InputError`` 422, ``NotFoundError`` 404, ``ConflictError`` 409, the
database being unusable 503. A body that is not JSON at all is 400 (the request itself is
malformed); a body that is JSON but not what the operation takes is 422, its message in plain
words (control characters, a wrong type). API errors have one shape,
``{"error": {"message", "field"}}``, also for requests that fail type checks and for HTTP
errors such as an unknown path.
A page shows the message in its own words (``words.plain``: no terminal command or flag) with
a next step for the status (``words.NEXT_STEPS``); the API keeps the service's words.
Nothing is written when one of these is raised inside a service (services check first and
write in one transaction).
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from mitra.domain.errors import ConflictError, InputError, MitraError, NotFoundError
from mitra.storage.database import DatabaseError
from mitra.web import words
from mitra.web.render import renderer

API_PREFIX = "/api/"
log = logging.getLogger("mitra.web")


def status_for(exc: MitraError) -> int:
    if isinstance(exc, InputError):
        return 422
    if isinstance(exc, NotFoundError):
        return 404
    if isinstance(exc, ConflictError):
        return 409
    if isinstance(exc, DatabaseError):
        return 503
    return 400


def _is_api(request: Request) -> bool:
    base = str(request.scope.get("root_path", ""))
    return request.url.path.removeprefix(base).startswith(API_PREFIX)


def _respond(request: Request, status: int, message: str, field: str | None) -> Response:
    if _is_api(request):
        return JSONResponse({"error": {"message": message, "field": field}}, status_code=status)
    return renderer(request).page(
        request,
        "error.html",
        {
            "title": words.STATUS_TITLES.get(status, "That did not work"),
            "message": words.plain(message),
            "next_step": words.NEXT_STEPS.get(status, words.NEXT_STEPS[400]),
        },
        status_code=status,
        with_alerts=False,
    )


def _field_of(location: tuple[int | str, ...]) -> str | None:
    # FastAPI locations read ("body", "amount") or ("query", "since"); keep the field name.
    # Inside a list, ("body", "answers", 0, "int"), the field is the list: what follows the
    # index names the union member that was tried, not a field.
    names: list[str] = []
    for part in location[1:]:
        if not isinstance(part, str):
            break
        names.append(part)
    return ".".join(names) or None


# Pydantic's words for the refusals people meet most, said plainly.
PLAIN_WORDS = {
    "json_invalid": "the body is not valid JSON",
    "string_pattern_mismatch": "control characters (such as NUL) are not accepted; use plain "
    "text (a note may have newlines)",
    "string_type": "must be a text (in quotes)",
    "bool_type": "must be true or false",
}


def install(app: FastAPI) -> None:
    async def mitra_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, MitraError)
        return _respond(request, status_for(exc), exc.message, exc.field)

    async def invalid_request(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        problems = exc.errors()
        first = problems[0] if problems else {}
        field = _field_of(tuple(first.get("loc", ())))
        kind = str(first.get("type", ""))
        message = PLAIN_WORDS.get(kind, str(first.get("msg", "the request is not valid")))
        if field:
            message = f"{field}: {message}"
        status = 400 if kind == "json_invalid" else 422
        return _respond(request, status, message, field)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        response = _respond(request, exc.status_code, str(exc.detail), None)
        if exc.headers:
            response.headers.update(exc.headers)
        return response

    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error in %s %s", request.method, request.url.path)
        return _respond(request, 500, words.SERVER_ERROR, None)

    app.add_exception_handler(MitraError, mitra_error)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(Exception, unexpected)
