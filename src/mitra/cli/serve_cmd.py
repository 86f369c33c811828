"""``mitra serve``: the web app (pages and JSON API) over the journal, on this computer.

It binds to loopback (127.0.0.1) unless ``--allow-network`` is given: mitra has no sign-in
yet, so anyone who can reach the address could read and change the journal. The socket is
bound before anything is printed, so the printed address is the real one (also with
``--port 0``) and a port already in use is reported plainly. The server answers only to the
loopback names, the address it is bound to, and the names given with ``--allowed-host``
(never to any name at all, also with ``--allow-network``: that would let a DNS-rebinding web
page reach the journal). FastAPI, uvicorn and the web
package are imported only inside the command, keeping every other command fast.
"""

from __future__ import annotations

import socket
from typing import TYPE_CHECKING

import click

from mitra.cli.main import state
from mitra.cli.output import dim
from mitra.cli.words import support_line

if TYPE_CHECKING:
    from mitra.cli.main import CliState
    from mitra.services.context import AppContext
    from mitra.web.app import WebSettings

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
It answers only to localhost, 127.0.0.1, [::1], the address it listens on, and the names
you add with --allowed-host (for example the computer's name on your home network).

\b
Examples:
  mitra serve                      (then open http://127.0.0.1:8000/)
  mitra serve --port 8080
  mitra serve --host ::1
  mitra serve --host 0.0.0.0 --allow-network --allowed-host mypc.local
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
    "--allowed-host",
    "allowed_hosts",
    multiple=True,
    metavar="NAME",
    help="Also answer requests for this host name (repeatable).",
)
@click.option(
    "--open-demo",
    is_flag=True,
    help="Build a fresh demo journey (a made-up person's four weeks) before serving.",
)
def serve(
    host: str, port: int, allow_network: bool, allowed_hosts: tuple[str, ...], open_demo: bool
) -> None:
    from mitra.domain.errors import InputError  # noqa: PLC0415

    for name in allowed_hosts:
        if not _plain_host(name):
            raise InputError(
                f"--allowed-host {name!r} is not a host name: give a name such as mypc.local "
                "or an address such as 192.168.1.20 (no port, no scheme, no wildcard)",
                field="allowed_host",
            )

    loopback = is_loopback(host)
    if not loopback and not allow_network:
        raise InputError(
            f"to listen on {host}, add --allow-network. mitra has no sign-in yet, so anyone "
            "who can reach that address could read and change your journal; without the "
            "flag it listens on this computer only (127.0.0.1)",
            field="host",
        )
    run(
        state(),
        host=host,
        port=port,
        loopback=loopback,
        open_demo=open_demo,
        allowed_hosts=allowed_hosts,
    )


def _plain_host(name: str) -> bool:
    """A DNS name or an IP address, nothing else (a wildcard would re-open DNS rebinding)."""
    import ipaddress  # noqa: PLC0415
    import re  # noqa: PLC0415

    try:
        ipaddress.ip_address(name.strip("[]"))
        return True
    except ValueError:
        pass
    label = r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    return len(name) <= 253 and re.fullmatch(rf"{label}(\.{label})*\.?", name) is not None


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


def web_settings(host: str, allowed_hosts: tuple[str, ...], *, demo: bool) -> WebSettings:
    """The app's settings for ``serve``: the allowlist is the loopback names, ``host`` and
    ``allowed_hosts``, whatever ``--allow-network`` says (see the module docstring)."""
    from mitra.web.app import WebSettings  # noqa: PLC0415

    return WebSettings(allowed_hosts=allowed_hosts, bound_host=host, demo=demo)


def run(
    cli_state: CliState,
    *,
    host: str,
    port: int,
    loopback: bool,
    open_demo: bool,
    allowed_hosts: tuple[str, ...] = (),
) -> None:
    import uvicorn  # noqa: PLC0415

    from mitra.services.context import AppContext  # noqa: PLC0415
    from mitra.storage.database import open_database, resolve_url  # noqa: PLC0415
    from mitra.web.app import create_app  # noqa: PLC0415

    main_url = resolve_url(cli_state.db, demo=cli_state.demo)
    # The demo never goes into a file the person named with --db: always its own default file.
    demo_url = resolve_url(None, demo=True)
    serving_demo = cli_state.demo or main_url == demo_url
    ctx = _fresh_demo(main_url) if serving_demo and open_demo else cli_state.app()
    settings = web_settings(host, allowed_hosts, demo=serving_demo)
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
    click.echo(dim("Stop with Ctrl+C. " + support_line()))
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    uvicorn.Server(config).run(sockets=[sock])
