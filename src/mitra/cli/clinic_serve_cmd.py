"""``mitra clinic serve``: the clinic server's web app (pages and ``/api/v1``) over PostgreSQL.

Everyone signs in (``mitra.web.clinic_auth``); each request acts on the signed-in person's own
journal, and a clinician reads only what is shared with them. It listens on 127.0.0.1 unless
``--host`` says otherwise (a clinic usually puts a TLS proxy in front); beyond loopback the
session cookie is sent only over HTTPS (``Secure``). It answers only to the loopback names,
its bound address and the ``--allowed-host`` names (no wildcard: DNS rebinding), like
``mitra serve``. A SQLite journal is refused (exit 2, nothing opened): the clinic server keeps
many people's journals and needs PostgreSQL. FastAPI and uvicorn are imported only inside the
command.
"""

from __future__ import annotations

import os
import socket
from typing import TYPE_CHECKING

import click

from mitra.cli.output import dim
from mitra.cli.words import support_line

if TYPE_CHECKING:
    from mitra.web.clinic_worker import WorkerConfig

# The replica's default bound, here as a figure (storage.replica imports SQLAlchemy, which a
# command's --help should not pay for).
DEFAULT_MAX_LAG_SECONDS = 5.0


@click.command(
    "serve",
    help="""Run the clinic server: sign-in, each person's journal, sharing with clinicians,
and the audit log, as web pages and a JSON API (/api/v1).

It listens on 127.0.0.1 unless --host names another address; beyond this computer put it
behind HTTPS (the sign-in cookie is then sent over HTTPS only). It answers only to
localhost, 127.0.0.1, [::1], the address it listens on and the --allowed-host names.

\b
Examples:
  mitra clinic serve --db postgresql://mitra@db.internal/clinic
  mitra clinic serve --db postgresql://... --host 0.0.0.0 --allowed-host clinic.example.org
  mitra clinic serve --db postgresql://primary/clinic --replica-url postgresql://standby/clinic
""",
)
@click.option(
    "--db",
    "db_url",
    metavar="URL",
    help="The clinic's PostgreSQL database (postgresql://...). Default: mitra's --db.",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="Port (0: any free port).",
)
@click.option(
    "--allowed-host",
    "allowed_hosts",
    multiple=True,
    metavar="NAME",
    help="Also answer requests for this host name (repeatable).",
)
@click.option(
    "--replica-url",
    metavar="URL",
    help="A streaming replica (postgresql://...) for clinicians' reads of shared journals; "
    "writes and each person's own pages stay on the primary.",
)
@click.option(
    "--replica-max-lag",
    type=click.FloatRange(0, 3600),
    default=DEFAULT_MAX_LAG_SECONDS,
    show_default=True,
    metavar="SECONDS",
    help="Read from the primary instead while the replica is further behind than this.",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Worker processes sharing the port (each with its own connections).",
)
def serve(
    db_url: str | None,
    host: str,
    port: int,
    allowed_hosts: tuple[str, ...],
    replica_url: str | None,
    replica_max_lag: float,
    workers: int,
) -> None:
    # The clinic commands' own reading of --db (SQLite refused, exit 2), imported here: that
    # module adds this command to its group.
    from mitra.cli.clinic_cmds import clinic_url  # noqa: PLC0415
    from mitra.cli.main import state  # noqa: PLC0415
    from mitra.cli.serve_cmd import _bind, _plain_host, is_loopback, web_settings  # noqa: PLC0415
    from mitra.domain.errors import InputError  # noqa: PLC0415

    url = clinic_url(db_url)
    for name in allowed_hosts:
        if not _plain_host(name):
            raise InputError(
                f"--allowed-host {name!r} is not a host name: give a name such as "
                "clinic.example.org or an address (no port, no scheme, no wildcard)",
                field="allowed_host",
            )
    import uvicorn  # noqa: PLC0415

    from mitra.services.context import AppContext  # noqa: PLC0415
    from mitra.storage.database import open_database, with_replica  # noqa: PLC0415
    from mitra.web.clinic_mode import create_clinic_app  # noqa: PLC0415
    from mitra.web.clinic_worker import WorkerConfig  # noqa: PLC0415

    database = open_database(url)
    if replica_url:
        database = with_replica(database, replica_url, max_lag_seconds=replica_max_lag)
    base = AppContext(database, clock=state().clock)
    loopback = is_loopback(host)
    app = create_clinic_app(
        base,
        secure_cookies=not loopback,
        settings=web_settings(host, allowed_hosts, demo=False),
    )
    sock = _bind(host, port)
    shown_host = f"[{host.strip('[]')}]" if ":" in host else host
    click.echo(
        f"The clinic server is serving {base.database.display()} at "
        f"http://{shown_host}:{sock.getsockname()[1]}/"
    )
    if database.replica is not None:
        shown = database.replica.engine.url.render_as_string(hide_password=True)
        click.echo(
            f"Clinicians' reads of shared journals come from the replica {shown} while it is "
            f"at most {replica_max_lag:g} s behind, else from the primary."
        )
    click.echo(dim("Stop with Ctrl+C. " + support_line()))
    if workers == 1:
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
        uvicorn.Server(config).run(sockets=[sock])
        return
    _run_workers(
        WorkerConfig(
            db_url=url,
            replica_url=replica_url,
            replica_max_lag=replica_max_lag,
            allowed_hosts=allowed_hosts,
            bound_host=host,
            secure_cookies=not loopback,
        ),
        workers,
        sock,
    )


def _run_workers(worker: WorkerConfig, workers: int, sock: socket.socket) -> None:
    """``workers`` processes answering on ``sock``, each building its app from ``worker``
    (``web.clinic_worker``), kept running by uvicorn's supervisor until Ctrl+C."""
    import uvicorn  # noqa: PLC0415
    from uvicorn.supervisors import Multiprocess  # noqa: PLC0415

    from mitra.web.clinic_worker import WORKER_ENV  # noqa: PLC0415

    os.environ[WORKER_ENV] = worker.to_env()  # the workers inherit it
    config = uvicorn.Config(
        "mitra.web.clinic_worker:app",
        factory=True,
        workers=workers,
        log_level="warning",
        access_log=False,
        lifespan="off",
    )
    click.echo(f"{workers} worker processes share the port.")
    Multiprocess(config, sockets=[sock]).run()
