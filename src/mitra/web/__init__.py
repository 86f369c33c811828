"""The web interface: pages for people and a JSON API for programs, over the same services.

``mitra serve`` runs it (``mitra.cli.serve_cmd``); ``app.create_app(ctx)`` builds one app over
one ``AppContext``, with no module-level state, so tests build apps over temporary databases.

Layout:
- ``api/``: the JSON API under ``/api/v1`` (pydantic models in ``api/models.py``).
- ``pages/``: server-rendered pages, one module per area, each with its template in
  ``templates/``; ``nav.py`` lists the areas in the navigation.
- ``errors.py``: the one place where mitra's errors become HTTP statuses.
- ``csrf.py`` and ``guards.py``: form tokens, cross-site and host checks, security headers.
- ``charts.py``: SVG charts from plain data (for the trends page and the PDF report).
- ``checkin_views.py``: check-in scores as pages show them (latest per instrument, weekly
  screens due, each instrument's chart); the check-in pages are ``pages/checkins.py`` with
  ``pages/checkin_form.py``, the API ``api/checkin_routes.py``.

Adding an area when its service lands (plans, exposure): a router module in ``pages/`` (and
``api/``), its template, and a ``NavItem`` in ``nav.py``. An area whose service does not exist
yet has no page: nothing here pretends.

Invariants: every page shows the help bar and footer (evidence-based treatment and crisis
lines); no page or asset asks for anything outside this server (no CDNs, web fonts or
analytics); every form POST carries the CSRF token; nothing here validates input itself
beyond types: the services do, and their errors are shown next to the field they name.
"""
