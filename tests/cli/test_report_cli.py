"""The report, export, import, backup and restore commands, end to end through the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.cli import run


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = str(tmp_path / "journal.sqlite3")
    assert run("profile", "set", "--timezone", "UTC", db=path).code == 0
    for args in (
        ("log", "dose", "3g", "--at", "2h ago", "--note", "a private note"),
        ("log", "dose", "2g", "--at", "1h ago"),
        ("log", "substance", "oxycodone", "30mg", "--route", "oral", "--at", "3h ago"),
        ("log", "symptom", "nausea", "--severity", "2"),
        ("check", "cows", "--answers", "2,1,3,1,2,1,2,1,1,2,3"),
    ):
        assert run(*args, db=path).code == 0, args
    return path


def one_line_error(result: object) -> str:
    err = result.err
    assert result.code == 2
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    return str(lines[0])


def test_report_pdf_writes_the_file_and_a_json_summary(db: str, tmp_path: Path) -> None:
    out = tmp_path / "report.pdf"
    result = run("report", "pdf", "--out", str(out), "--paper", "letter", "--json", db=db)
    assert result.code == 0, result.err
    summary = result.json()
    assert summary["written"] == str(out) and summary["paper"] == "letter"
    assert summary["entries"] == 4 and summary["checkins"] == 1
    assert summary["notes_included"] is False
    assert out.read_bytes().startswith(b"%PDF")


def test_report_fhir_writes_a_validated_bundle(db: str, tmp_path: Path) -> None:
    out = tmp_path / "bundle.json"
    result = run("report", "fhir", "--out", str(out), "--json", db=db)
    assert result.code == 0, result.err
    summary = result.json()
    assert summary["resources"]["QuestionnaireResponse"] == 1
    assert summary["patient_identified"] is False
    bundle = json.loads(out.read_text())
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "collection"


def test_export_and_import_round_trip_through_files(db: str, tmp_path: Path) -> None:
    out = tmp_path / "journal.json"
    assert run("export", "--out", str(out), db=db).code == 0
    document = json.loads(out.read_text())
    assert document["format"] == "mitra-export" and document["version"] == 1
    other = str(tmp_path / "other.sqlite3")
    result = run("import", str(out), "--json", db=other)
    assert result.code == 0, result.err
    records = sum(
        len(document[k]) for k in ("products", "entries", "actions", "assessments", "alerts")
    )
    assert result.json()["added"] == records + 1  # and the profile
    assert result.json()["kinds"]["entries"]["added"] == 4
    again = run("import", str(out), db=other)
    assert again.code == 0 and "Added 0" in again.out
    second = tmp_path / "again.json"
    assert run("export", "--out", str(second), db=other).code == 0
    copy = json.loads(second.read_text())
    document.pop("exported_at"), copy.pop("exported_at")
    assert copy == document


def test_export_goes_to_standard_output_without_out(db: str) -> None:
    result = run("export", db=db)
    assert result.code == 0 and json.loads(result.out)["format"] == "mitra-export"


def test_csv_export_writes_a_folder_of_tables(db: str, tmp_path: Path) -> None:
    folder = tmp_path / "csv"
    result = run("export", "--format", "csv", "--out", str(folder), "--json", db=db)
    assert result.code == 0, result.err
    assert "entries.csv" in result.json()["files"]
    assert (folder / "doses.csv").read_text().count("\n") == 3  # header + 2 doses


def test_an_encrypted_export_needs_its_passphrase(
    db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "journal.enc"
    monkeypatch.setenv("MITRA_PASSPHRASE", "correct horse")
    assert run("export", "--out", str(out), "--encrypt", db=db).code == 0
    assert b"a private note" not in out.read_bytes()
    other = str(tmp_path / "other.sqlite3")
    monkeypatch.setenv("MITRA_PASSPHRASE", "battery staple")
    line = one_line_error(run("import", str(out), db=other))
    assert "wrong passphrase" in line
    assert json.loads(run("history", "--json", db=other).out)["entries"] == []
    monkeypatch.setenv("MITRA_PASSPHRASE", "correct horse")
    assert run("import", str(out), db=other).code == 0
    assert len(json.loads(run("history", "--json", db=other).out)["entries"]) == 4


def test_a_corrupted_import_file_is_one_clear_line(db: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "mitra-export", "version": 1, "entries": [')
    assert "not a mitra export" in one_line_error(run("import", str(bad), db=db))
    newer = tmp_path / "newer.json"
    newer.write_text('{"format": "mitra-export", "version": 7}')
    assert "newer mitra" in one_line_error(run("import", str(newer), db=db))


def test_backup_and_restore_through_the_cli(
    db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MITRA_PASSPHRASE", "pw")
    out = tmp_path / "journal.bak.enc"
    result = run("backup", str(out), "--encrypt", "--json", db=db)
    assert result.code == 0, result.err
    assert result.json()["encrypted"] is True and result.json()["rows"]["entries"] == 4
    assert run("log", "dose", "9g", db=db).code == 0
    monkeypatch.setenv("MITRA_PASSPHRASE", "wrong")
    assert "wrong passphrase" in one_line_error(run("restore", str(out), db=db))
    assert len(json.loads(run("history", "--json", db=db).out)["entries"]) == 5
    monkeypatch.setenv("MITRA_PASSPHRASE", "pw")
    restored = run("restore", str(out), "--json", db=db)
    assert restored.code == 0, restored.err
    assert Path(restored.json()["previous_kept_as"]).exists()
    assert len(json.loads(run("history", "--json", db=db).out)["entries"]) == 4
    damaged = tmp_path / "damaged.enc"
    data = bytearray(out.read_bytes())
    data[-20] ^= 0xFF
    damaged.write_bytes(bytes(data))
    assert "damaged" in one_line_error(run("restore", str(damaged), db=db))


def test_postgresql_backups_point_to_pg_dump(pg_url: str) -> None:
    line = one_line_error(run("backup", db=pg_url))
    assert "pg_dump" in line
    assert "pg_dump" in one_line_error(run("restore", "x.sqlite3", db=pg_url))


def test_the_demo_points_to_the_clinician_report(tmp_path: Path) -> None:
    result = run("demo")
    assert "mitra --demo report pdf --out demo-report.pdf" in result.out


def test_heavy_report_libraries_are_not_imported_to_start_the_cli() -> None:
    code = (
        "import sys, mitra.cli.main; heavy = [m for m in ('reportlab', 'svglib', 'fhir', "
        "'cryptography', 'pygal', 'pypdf') if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "[]"


@pytest.mark.parametrize(
    ("zone", "paper"), [("America/New_York", "letter"), ("Europe/London", "a4")]
)
def test_the_pdf_paper_follows_the_profiles_zone_unless_chosen(
    db: str, tmp_path: Path, zone: str, paper: str
) -> None:
    assert run("profile", "set", "--timezone", zone, db=db).code == 0
    result = run("report", "pdf", "--out", str(tmp_path / "r.pdf"), "--json", db=db)
    assert result.code == 0, result.err
    assert result.json()["paper"] == paper
    chosen = run(
        "report", "pdf", "--out", str(tmp_path / "c.pdf"), "--paper", "a4", "--json", db=db
    )
    assert chosen.json()["paper"] == "a4"
