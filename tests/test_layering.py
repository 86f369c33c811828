"""The domain stays pure: it imports no framework, database or interface module."""

from __future__ import annotations

import ast
from pathlib import Path

import mitra

FORBIDDEN = (
    "sqlalchemy",
    "alembic",
    "psycopg",
    "click",
    "fastapi",
    "starlette",
    "jinja2",
    "httpx",
    "sqlite3",
    "mitra.storage",
    "mitra.services",
    "mitra.cli",
    "mitra.web",
)
PACKAGE = Path(mitra.__file__).parent


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_the_domain_imports_no_framework_database_or_outer_layer() -> None:
    for path in (PACKAGE / "domain").rglob("*.py"):
        for name in imported_modules(path):
            assert not name.startswith(FORBIDDEN), f"{path.name} imports {name}"


def test_services_do_not_import_interfaces() -> None:
    for path in (PACKAGE / "services").rglob("*.py"):
        for name in imported_modules(path):
            assert not name.startswith(("click", "mitra.cli", "mitra.web", "mitra.reports")), (
                path.name
            )


def test_the_cli_start_up_path_avoids_heavy_imports() -> None:
    import subprocess
    import sys

    code = (
        "import sys, mitra.cli.main; heavy = [m for m in ('sqlalchemy', 'pint', 'numpy', "
        "'dateparser', 'alembic') if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "[]"


def test_the_reports_and_the_charts_do_not_depend_on_the_web_package() -> None:
    paths = [*(PACKAGE / "reports").rglob("*.py"), PACKAGE / "charts.py"]
    for path in paths:
        for name in imported_modules(path):
            assert not name.startswith(("fastapi", "starlette", "mitra.web", "mitra.cli")), (
                f"{path.name} imports {name}"
            )


def test_importing_the_charts_loads_no_web_framework() -> None:
    import subprocess
    import sys

    code = (
        "import sys, mitra.charts; print([m for m in ('fastapi', 'starlette', 'mitra.web') "
        "if m in sys.modules])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "[]"
