"""``mitra share push``: send a local journal's entries to the person's account on a clinic
server, incrementally; ``mitra share status``: what is waiting to be sent.

What is sent is what changed since the last completed push to that server (``push_store``:
new entries, and entries deleted or restored since), in batches of ``BATCH`` entries, each an
export document of entries only with their uuids, to ``POST {server}/api/v1/sync/entries``
with the person's bearer token. The server matches entries by uuid (``share_receive``), so a
batch sent again changes nothing there. The push mark moves only after every batch was
acknowledged: an interrupted push sends the same changes again next time, and nothing is
ever doubled or lost.

Transport: HTTPS with the system's certificate checks (or ``ca_file``, a local test CA);
plain HTTP only to a loopback address. Nothing but the entries (and the token) leaves the
machine: no profile, products, check-ins, alerts or plans.
"""

from __future__ import annotations

import ipaddress
import ssl
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from mitra import __version__
from mitra.domain.errors import InputError, MitraError
from mitra.services.context import AppContext
from mitra.services.export_format import document_from_tables
from mitra.storage import push_store
from mitra.storage.database import HEAD_REVISION

if TYPE_CHECKING:
    import httpx

BATCH = 200
SYNC_PATH = "/api/v1/sync/entries"
TIMEOUT_SECONDS = 30.0


class PushFailed(MitraError):
    """The server could not be reached or refused the push; nothing more was marked sent."""


@dataclass(frozen=True, slots=True)
class PushReport:
    target: str
    sent: int
    added: int
    deleted: int
    restored: int
    unchanged: int


@dataclass(frozen=True, slots=True)
class PendingView:
    target: str
    pending: int
    pushed_at: datetime | None


def normalise_target(url: str) -> str:
    """The server's address as marks are kept: scheme, host and port in lower case, and the
    path without a trailing slash; plain http only to a loopback address."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise InputError(
            f"{url!r} is not a server address; give one such as https://clinic.example.org",
            field="to",
        )
    if parts.username or parts.password or parts.query or parts.fragment:
        raise InputError("give the server's address alone (the token goes in --token)", field="to")
    if parts.scheme == "http" and not _loopback(parts.hostname):
        raise InputError(
            "plain http is only for a server on this computer; use https:// (the entries "
            "and your token would cross the network unencrypted)",
            field="to",
        )
    netloc = parts.hostname.lower() + (f":{parts.port}" if parts.port else "")
    if ":" in parts.hostname:
        netloc = f"[{parts.hostname.lower()}]" + (f":{parts.port}" if parts.port else "")
    return f"{parts.scheme}://{netloc}{parts.path.rstrip('/')}"


def _loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def status(ctx: AppContext, target: str | None = None) -> list[PendingView]:
    """For each server this journal was pushed to (or ``target`` alone, pushed or not), how
    many entries are waiting and when the last push completed."""
    with ctx.database.read() as conn:
        if target is not None:
            chosen = normalise_target(target)
            found = push_store.mark(conn, chosen)
            waiting = push_store.pending(conn, found)
            when = found.pushed_at if found else None
            return [PendingView(chosen, len(waiting.entry_ids), when)]
        views = []
        for found in push_store.marks(conn):
            waiting = push_store.pending(conn, found)
            views.append(PendingView(found.target, len(waiting.entry_ids), found.pushed_at))
        return views


def push(
    ctx: AppContext,
    target: str,
    token: str,
    *,
    ca_file: str | None = None,
    transport: httpx.BaseTransport | None = None,
) -> PushReport:
    """Send what changed since the last push to ``target`` (see the module docstring)."""
    import httpx  # noqa: PLC0415  (only this command needs an HTTP client)

    chosen = normalise_target(target)
    if not token.strip():
        raise InputError("give the token from your clinic with --token", field="token")
    with ctx.database.read() as conn:
        found = push_store.mark(conn, chosen)
        waiting = push_store.pending(conn, found)
    verify: ssl.SSLContext | bool = True
    if ca_file is not None:
        try:
            verify = ssl.create_default_context(cafile=ca_file)
        except (OSError, ssl.SSLError) as exc:
            raise InputError(f"cannot use --ca-file {ca_file}: {exc}", field="ca_file") from None
    totals = {"added": 0, "deleted": 0, "restored": 0, "unchanged": 0}
    headers = {"authorization": f"Bearer {token.strip()}"}
    with httpx.Client(
        verify=verify, timeout=TIMEOUT_SECONDS, transport=transport, headers=headers
    ) as client:
        for start in range(0, len(waiting.entry_ids), BATCH):
            batch = waiting.entry_ids[start : start + BATCH]
            answer = _send(client, chosen + SYNC_PATH, _document(ctx, batch))
            for key in totals:
                totals[key] += int(answer.get(key, 0))
    with ctx.database.transaction() as conn:
        push_store.set_mark(
            conn,
            chosen,
            last_entry_id=waiting.top_entry_id,
            last_action_id=waiting.top_action_id,
            at=ctx.now(),
        )
    return PushReport(chosen, len(waiting.entry_ids), **totals)


def _document(ctx: AppContext, entry_ids: list[int]) -> dict[str, Any]:
    with ctx.database.read() as conn:
        tables = push_store.entry_tables(conn, entry_ids)
    for part in ("doses",):
        for row in tables[part]:
            row["product_id"] = None  # the server has its own products; the dose keeps its name
    return document_from_tables(
        tables, exported_at=ctx.now(), mitra_version=__version__, schema_revision=HEAD_REVISION
    )


def _send(client: httpx.Client, url: str, document: dict[str, Any]) -> dict[str, Any]:
    import httpx  # noqa: PLC0415

    try:
        answer = client.post(url, json=document)
    except httpx.HTTPError as exc:
        raise PushFailed(
            f"could not reach {url.removesuffix(SYNC_PATH)} ({exc}); nothing more was marked "
            "sent: run the push again when the server can be reached"
        ) from None
    if answer.status_code == 401:
        raise PushFailed("the server refused the token: ask your clinic for a new one")
    if answer.status_code == 403:
        raise PushFailed("this token may not write to the journal: it needs the write scope")
    if answer.status_code != 200:
        try:
            said = answer.json()["error"]["message"]
        except (ValueError, KeyError, TypeError):
            said = answer.text[:200]
        raise PushFailed(f"the server refused the push ({answer.status_code}): {said}")
    body: dict[str, Any] = answer.json()
    return body
