"""``mitra serve``: the web app (pages and JSON API) over the journal, on this computer.

It binds to loopback (127.0.0.1) unless ``--allow-network`` is given: mitra has no sign-in
yet, so anyone who can reach the address could read and change the journal. The socket is
bound before anything is printed, so the printed address is the real one (also with
``--port 0``) and a port already in use is reported plainly. FastAPI, uvicorn and the web
package are imported only inside the command, keeping every other command fast.
"""

from __future__ import annotations

import socket
from typing import TYPE_CHECKING

import click

from mitra.cli.main import state
from mitra.cli.output import dim
from mitra.cli.words import SUPPORT_LINE

if TYPE_CHECKING:
    from mitra.cli.main import CliState
    from mitra.services.context import AppContext

LOOPBACK_NAMES = ("localhost",)


def is_loopback(host: str) -> bool:
    import ipaddress  # noqa: PLC0415

    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name other than localhost may resolve anywhere


@click.command(
    "serve",
    help="""Run mitra's web app: pages for your journal and a JSON API
(/api/v1, described at /api/v1/openapi.json). Everything stays on this computer.

It listens on 127.0.0.1 only. mitra has no sign-in yet, so listening on another address
needs --allow-network, and anyone who can reach it could read and change your journal.

\b
Examples:
  mitra serve                      (then open http://127.0.0.1:8000/)
  mitra serve --port 8080
  mitra serve --open-demo          (also build a fresh demo journey at /demo/)
  mitra --demo serve               (serve the demo database itself)
""",
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
    "--allow-network",
    is_flag=True,
    help="Allow an address other than loopback (no sign-in protects it).",
)
@click.option(
    "--open-demo",
    is_flag=True,
    help="Build a fresh demo journey (a made-up person's four weeks) before serving.",
)
def serve(host: str, port: int, allow_network: bool, open_demo: bool) -> None:
    from mitra.domain.errors import InputError  # noqa: PLC0415

    loopback = is_loopback(host)
    if not loopback and not allow_network:
        raise InputError(
            f"to listen on {host}, add --allow-network. mitra has no sign-in yet, so anyone "
            "who can reach that address could read and change your journal; without the "
            "flag it listens on this computer only (127.0.0.1)",
            field="host",
        )
    run(state(), host=host, port=port, loopback=loopback, open_demo=open_demo)


NETWORK_WARNING = (
    "WARNING: mitra is listening on {host}, beyond this computer. It has no sign-in yet: "
    "anyone who can reach this address can read and change this journal. Stop it with "
    "Ctrl+C when you are done."
)


def _fresh_demo(url: str) -> AppContext:
    """Replace the demo database at ``url`` with a newly built demo journey."""
    from mitra.domain.errors import InputError  # noqa: PLC0415
    from mitra.services.context import AppContext  # noqa: PLC0415
    from mitra.services.demo import build_demo  # noqa: PLC0415
    from mitra.storage.database import open_database  # noqa: PLC0415
    from mitra.storage.reset import remove_sqlite_file  # noqa: PLC0415

    if not url.startswith("sqlite:///"):
        raise InputError("the demo journey is built in a SQLite file", field="db")
    remove_sqlite_file(url)
    ctx = AppContext(open_database(url))
    build_demo(ctx)
    return ctx


def _bind(host: str, port: int) -> socket.socket:
    from mitra.domain.errors import InputError  # noqa: PLC0415

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host.strip("[]"), port))
    except OSError as exc:
        sock.close()
        raise InputError(
            f"cannot listen on {host}:{port}: {exc.strerror}; try another --port", field="port"
        ) from None
    sock.listen(512)
    return sock


def run(cli_state: CliState, *, host: str, port: int, loopback: bool, open_demo: bool) -> None:
    import uvicorn  # noqa: PLC0415

    from mitra.services.context import AppContext  # noqa: PLC0415
    from mitra.storage.database import open_database, resolve_url  # noqa: PLC0415
    from mitra.web.app import LOOPBACK_HOSTS, WebSettings, create_app  # noqa: PLC0415

    main_url = resolve_url(cli_state.db, demo=cli_state.demo)
    # The demo never goes into a file the person named with --db: always its own default file.
    demo_url = resolve_url(None, demo=True)
    serving_demo = cli_state.demo or main_url == demo_url
    ctx = _fresh_demo(main_url) if serving_demo and open_demo else cli_state.app()
    settings = WebSettings(allowed_hosts=LOOPBACK_HOSTS if loopback else ("*",), demo=serving_demo)
    demo_ctx = _fresh_demo(demo_url) if open_demo and not serving_demo else None

    def open_demo_journal() -> AppContext:
        return demo_ctx or AppContext(open_database(demo_url))

    app = create_app(ctx, settings=settings, demo=None if serving_demo else open_demo_journal)
    sock = _bind(host, port)
    shown_host = f"[{host.strip('[]')}]" if ":" in host else host
    address = f"http://{shown_host}:{sock.getsockname()[1]}/"
    click.echo(f"mitra is serving {ctx.database.display()} at {address}")
    if demo_ctx is not None:
        click.echo(f"The demo journey: {address}demo/")
    if not loopback:
        click.echo(click.style(NETWORK_WARNING.format(host=host), bold=True), err=True)
    click.echo(dim("Stop with Ctrl+C. " + SUPPORT_LINE))
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    uvicorn.Server(config).run(sockets=[sock])
