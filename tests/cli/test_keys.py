"""The key-management CLI, run as users run it."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from tunesmith.cli import app
from tunesmith.db.session import Database
from tunesmith.tasks import accounts

runner = CliRunner()


def run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_create_list_credit_revoke(tmp_path: Path) -> None:
    d = str(tmp_path / "data")
    raw = run("keys", "create", "--credits", "30", "--name", "alice", "--quiet", "--data-dir", d).strip()
    assert raw.startswith("sk_") and len(raw) > 40
    listing = run("keys", "list", "--data-dir", d)
    assert "alice" in listing and "\t30\t" in listing and raw not in listing
    assert "now has 55 credits" in run("keys", "credit", "1", "25", "--data-dir", d)
    assert "revoked key #1" in run("keys", "revoke", raw[:10], "--data-dir", d)
    db = Database(f"sqlite:///{tmp_path / 'data' / 'tunesmith.db'}")
    [info] = accounts.list_keys(db)
    assert info.credits == 55 and info.revoked_at is not None
    assert accounts.ledger_balances(db)[info.id] == (55, 55)


def test_errors_are_reported_not_raised(tmp_path: Path) -> None:
    d = str(tmp_path / "data")
    run("keys", "create", "--credits", "5", "--data-dir", d)
    result = runner.invoke(app, ["keys", "credit", "--data-dir", d, "1", "--", "-10"])
    assert result.exit_code == 2 and "below zero" in result.output
    result = runner.invoke(app, ["keys", "revoke", "99", "--data-dir", d])
    assert result.exit_code == 2 and "no API key" in result.output
