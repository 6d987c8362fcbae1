"""Command line: ``tunesmith serve``, ``tunesmith analyse FILE`` and ``tunesmith keys create|list|revoke|credit``."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from tunesmith.config import Settings
from tunesmith.db.session import Database
from tunesmith.errors import TunesmithError
from tunesmith.tasks import accounts

app = typer.Typer(help="Tunesmith: a self-hosted music generation server that speaks the Suno API.",
                  no_args_is_help=True)
keys_app = typer.Typer(help="Manage API keys and their credits.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")

DataDir = Annotated[Path | None, typer.Option("--data-dir", help="Data directory (default ./data, "
                                                                  "or $TUNESMITH_DATA_DIR).")]


def _settings(data_dir: Path | None, **server: object) -> Settings:
    settings = Settings()
    if data_dir is not None:
        settings.data_dir = data_dir
    for name, value in server.items():
        if value is not None:
            setattr(settings.server, name, value)
    return settings


def _db(settings: Settings) -> Database:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(settings.db_url)
    db.migrate()
    return db


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address (default 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default 8000).")] = None,
    data_dir: DataDir = None,
) -> None:
    """Initialise the data directory and run the server; the first start creates and prints a key."""
    import uvicorn

    from tunesmith.api.app import create_app
    from tunesmith.api.protocol import MAX_HEAD_BYTES, EnvelopeH11Protocol

    settings = _settings(data_dir, host=host, port=port)
    db = _db(settings)
    if not accounts.list_keys(db):
        raw, info = accounts.create_key(db, credits=settings.credits.first_key_credits, name="first key")
        typer.echo(f"Created API key #{info.id} with {info.credits} credits (shown only once):\n\n    {raw}\n")
    db.dispose()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    typer.echo(f"Tunesmith on http://{settings.server.host}:{settings.server.port} "
               f"(files at {settings.base_url}, docs at /docs)")
    uvicorn.run(create_app(settings), host=settings.server.host, port=settings.server.port,
                log_level="info", timeout_graceful_shutdown=5,
                http=EnvelopeH11Protocol, h11_max_incomplete_event_size=MAX_HEAD_BYTES)


@app.command()
def analyse(
    file: Annotated[Path, typer.Argument(help="An audio file (MP3, WAV, FLAC, OGG/Vorbis, Opus, M4A/AAC, ...).",
                                         exists=True, dir_okay=False, readable=True)],
    json_out: Annotated[Path | None, typer.Option("--json", help="Also write the analysis as JSON here.")] = None,
    lyrics: Annotated[Path | None, typer.Option(help="A text file with the song's lyrics: align them "
                                                       "instead of transcribing.")] = None,
    language: Annotated[str | None, typer.Option(help="Lyrics language, en or zh (default: detected).")] = None,
    stems: Annotated[Path | None, typer.Option(help="Also write the separated vocals and accompaniment "
                                                     "(FLAC) into this folder.")] = None,
    cache: Annotated[Path | None, typer.Option(help="Keep results in this folder; a second run on the same "
                                                     "file reads them instead of analysing again.")] = None,
    midi: Annotated[Path | None, typer.Option(help="Also write the vocal melody and the chords as a MIDI file "
                                                    "(one beat of the recording = one quarter note).")] = None,
) -> None:
    """Analyse a recording: tempo, beats, key, chords over time, sections, vocal melody, lyrics with times."""
    from tunesmith.cli_analyse import run_analyse

    try:
        run_analyse(file, settings=_settings(None), json_out=json_out, lyrics_file=lyrics, language=language,
                    stems_dir=stems, cache_dir=cache, midi_out=midi)
    except TunesmithError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(2) from exc


@keys_app.command("create")
def keys_create(
    credits: Annotated[int, typer.Option(help="Opening credit balance.")] = 0,
    name: Annotated[str, typer.Option(help="A label for the key.")] = "",
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only the key.")] = False,
    data_dir: DataDir = None,
) -> None:
    """Create an API key; the key is printed once and only its hash is stored."""
    raw, info = accounts.create_key(_db(_settings(data_dir)), credits=credits, name=name)
    if quiet:
        typer.echo(raw)
    else:
        typer.echo(f"key #{info.id} ({info.prefix}…) credits={info.credits}\n{raw}\n"
                   f"webhook signing secret: {info.webhook_secret}")


@keys_app.command("list")
def keys_list(data_dir: DataDir = None) -> None:
    """List keys: id, prefix, credits, state."""
    for k in accounts.list_keys(_db(_settings(data_dir))):
        state = f"revoked {k.revoked_at:%Y-%m-%d}" if k.revoked_at else "active"
        typer.echo(f"{k.id}\t{k.prefix}…\t{k.credits}\t{state}\t{k.name}")


@keys_app.command("revoke")
def keys_revoke(key: Annotated[str, typer.Argument(help="Key id or prefix.")], data_dir: DataDir = None) -> None:
    """Revoke a key: it is refused from then on."""
    info = _run(lambda db: accounts.revoke_key(db, key), data_dir)
    typer.echo(f"revoked key #{info.id} ({info.prefix}…)")


@keys_app.command("credit")
def keys_credit(
    key: Annotated[str, typer.Argument(help="Key id or prefix.")],
    amount: Annotated[int, typer.Argument(help="Credits to add (negative to remove).")],
    note: Annotated[str, typer.Option(help="Ledger note.")] = "",
    data_dir: DataDir = None,
) -> None:
    """Add or remove credits; the change is written to the ledger."""
    info = _run(lambda db: accounts.adjust_credits(db, key, amount, note), data_dir)
    typer.echo(f"key #{info.id} now has {info.credits} credits")


def _run(action: Callable[[Database], accounts.KeyInfo], data_dir: Path | None) -> accounts.KeyInfo:
    try:
        return action(_db(_settings(data_dir)))
    except TunesmithError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(2) from exc

