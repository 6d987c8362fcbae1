"""The one typed settings object, read from the environment (prefix ``TUNESMITH_``, ``__`` nests).

Example: ``TUNESMITH_WORKERS__CONCURRENCY=4``, ``TUNESMITH_EGRESS__ALLOW_NETWORKS='["10.0.0.0/8"]'``.
Every field is documented in the README's settings table; keep the two in step.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServerSettings(BaseModel):
    host: str = "127.0.0.1"
    """Interface the HTTP server binds to."""
    port: int = 8000
    """TCP port of the HTTP server."""
    max_body_bytes: int = 1_048_576
    """Largest accepted request body in bytes; larger bodies are answered with code 413."""
    mirror_http_status: bool = False
    """False: business errors use HTTP 200 with the code in the body, as the hosted API does.
    True: the HTTP status mirrors the body code (for clients that only check HTTP status)."""


class WorkerSettings(BaseModel):
    concurrency: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1)
    """Tasks worked on at once, and engine processes in the pool (default: CPU cores)."""
    isolation: str = Field(default="process", pattern="^(process|thread)$")
    """``process``: engine work runs in a pool of spawned processes (the API stays responsive);
    ``thread``: in threads of the server process (lower memory, for small machines and debugging)."""
    lease_s: float = 60.0
    """Seconds a claimed task stays leased without a heartbeat before another worker may take it."""
    heartbeat_s: float = 10.0
    """Seconds between lease renewals while a task runs."""
    max_attempts: int = 2
    """How many times a task is started (first run + retries after a crash) before it fails."""
    poll_s: float = 1.0
    """Seconds an idle worker waits before looking for new tasks when not woken by a submit."""
    task_timeout_s: float = 1800.0
    """A task still unfinished after this many seconds of work is failed and refunded."""


class EngineSettings(BaseModel):
    name: str = "builtin"
    """Song engine, from the engine registry (``builtin`` is the CPU engine)."""
    soundfont: Path | None = None
    """General MIDI SoundFont (SF2/SF3) for instruments; default TimGM6mb shipped inside pretty_midi."""
    sample_rate: int = 44100
    """Output sample rate in Hz."""


class StorageSettings(BaseModel):
    retention_days: float = 15.0
    """Days generated files are kept; afterwards they are deleted and their links answer "expired"."""
    link_ttl_s: int = 7 * 24 * 3600
    """Lifetime of a signed file link in seconds (links are re-issued on every record-info)."""
    sweep_interval_s: float = 3600.0
    """Seconds between retention sweeps."""
    signing_key: str | None = None
    """Secret for file-link signatures; generated into the data directory when unset."""
    orphan_grace_s: float = Field(default=3600.0, gt=0)
    """Seconds after which a stored file without a database row (a track whose row was never written) and a
    work folder of no running task are deleted by the sweep."""


class WebhookSettings(BaseModel):
    timeout_s: float = 15.0
    """Seconds a callback receiver has to answer (the hosted service's 15 s)."""
    retry_delays_s: tuple[float, ...] = (60.0, 300.0, 900.0)
    """Delays before each retry after a failed delivery (1 + len attempts in all)."""
    poll_s: float = 1.0
    """Seconds between scans of the callback outbox when idle."""


class EgressSettings(BaseModel):
    allow_networks: list[str] = Field(default_factory=list)
    """Destinations that outbound requests (callbacks, upload URLs) may reach even though they are
    private, loopback or link-local: networks and addresses (every port), or ``host:port`` entries that
    allow that one port, e.g. ``["10.1.0.0/16", "10.0.0.5:8080", "[::1]:9000", "hooks.internal:8443"]``
    (a host name needs a port). Empty: only public addresses."""


class LimitsSettings(BaseModel):
    """Per-key limits on floods (``tunesmith.api.limits``): request rates answered with code 430 and a cap on
    unfinished tasks answered with code 405, both with ``Retry-After``. 0 turns a limit off."""

    window_s: float = Field(default=10.0, gt=0)
    """Seconds over which each request rate is counted (the hosted service's "20 requests per 10 seconds")."""
    calls_per_window: int = Field(default=20, ge=0)
    """POST calls per key per window: task creation (free operations too), synchronous operations, uploads."""
    reads_per_window: int = Field(default=300, ge=0)
    """GET calls per key per window: record-info polling and credits (3 queries/s for each of 10 tasks)."""
    max_active_tasks: int = Field(default=20, ge=0)
    """Queued and running tasks a key may have; a submit beyond it is refused and debits nothing."""
    busy_retry_after_s: int = Field(default=30, ge=1)
    """``Retry-After`` in seconds when the task cap refuses a submit (about when a queued task has finished)."""


class UploadSettings(BaseModel):
    """The File Upload API (``/api/file-*-upload``) and the ``uploadUrl`` field of the audio-in endpoints."""

    retention_days: float = 3.0
    """Days an uploaded file is kept (the hosted service's 3 days); afterwards it is deleted and its
    ``downloadUrl`` answers "expired"."""
    max_stream_bytes: int = 100 * 1024 * 1024
    """Largest file accepted by ``/api/file-stream-upload``, in bytes."""
    max_url_bytes: int = 100 * 1024 * 1024
    """Largest file fetched by ``/api/file-url-upload`` and by an ``uploadUrl`` on another host, in bytes."""
    max_base64_bytes: int = 20 * 1024 * 1024
    """Largest decoded file accepted by ``/api/file-base64-upload``, in bytes (the JSON body may be 4/3 of
    this plus a little; that route has its own body limit, not ``server.max_body_bytes``)."""
    fetch_timeout_s: float = 60.0
    """Seconds a URL fetch may take in all (connect, redirects refused, read)."""
    max_audio_s: float = 480.0
    """Longest audio accepted as ``uploadUrl`` input in seconds, before each model's own limit applies."""


class AnalysisSettings(BaseModel):
    """Which implementation runs each music-understanding capability (``tunesmith.analysis.base.ANALYSERS``);
    empty means the first registered (the default)."""

    separator: str = ""
    """Vocals/accompaniment separation: ``spleeter`` (neural, default) or ``dsp`` (no model; weaker)."""
    beats: str = ""
    """Tempo map, beats, downbeats: ``librosa``."""
    key: str = ""
    """Key and mode: ``profile``."""
    chords: str = ""
    """Chords per beat: ``template``."""
    sections: str = ""
    """Form sections: ``repetition``."""
    vocals: str = ""
    """Vocal activity: ``energy``."""
    melody: str = ""
    """Vocal melody as notes: ``swiftf0``."""
    lyrics: str = ""
    """Words with times (aligned or transcribed): ``whisper``."""

    def choice(self) -> dict[str, str]:
        """capability → chosen name (``""`` = default), for :func:`tunesmith.analysis.pipeline.Analyser`."""
        return self.model_dump()


class LyricsSettings(BaseModel):
    """The lyrics endpoints' writer. The built-in lyricist is the default and the fallback whenever the
    optional LLM fails, times out or answers with something that is not two usable songs."""

    llm_url: str | None = None
    """Base URL of an OpenAI-compatible chat API; ``{llm_url}/chat/completions`` is called, e.g.
    ``http://127.0.0.1:11434/v1`` (Ollama) or ``https://api.openai.com/v1``. Unset: built-in writer only."""
    llm_model: str = ""
    """Model name sent to the LLM endpoint, e.g. ``llama3.1:8b``; required when ``llm_url`` is set."""
    llm_api_key: str | None = None
    """Bearer token for the LLM endpoint; unset sends no ``Authorization`` header."""
    timeout_s: float = Field(default=60.0, gt=0)
    """Seconds one LLM request may take in all (connect, generate, read); afterwards the built-in writer
    is used."""
    llm_temperature: float = Field(default=0.9, ge=0.0, le=2.0)
    """Sampling temperature sent to the LLM (0–2); higher gives more varied lyrics."""
    llm_trust_host: bool = True
    """True: the configured LLM host's own addresses are allowed even when private or loopback (a local
    Ollama/vLLM), because the URL is operator configuration, not user input; redirects are never followed,
    so no other internal address becomes reachable. False: the LLM is held to the egress policy like
    callbacks (public addresses and ``egress.allow_networks`` only)."""

    @model_validator(mode="after")
    def _model_named(self) -> LyricsSettings:
        if self.llm_url and not self.llm_url.lower().startswith(("http://", "https://")):
            raise ValueError("lyrics.llm_url must be an http:// or https:// URL")
        if self.llm_url and not self.llm_model.strip():
            raise ValueError("lyrics.llm_model is required when lyrics.llm_url is set")
        return self


class HealthSettings(BaseModel):
    """Readiness (``/readyz``): below these the server refuses new paid work with code 455 (nothing is
    debited) and its workers start no task until the fault clears; supervised loops back off meanwhile."""

    min_free_mb: float = Field(default=100.0, ge=0)
    """Free space in MiB the data dir's filesystem must keep for the server to take new work."""
    probe_interval_s: float = Field(default=1.0, gt=0)
    """Seconds a disk and database probe is reused before probing again."""
    backoff_max_s: float = Field(default=30.0, gt=0)
    """Longest wait in seconds of a worker or the callback dispatcher between failed rounds (the first wait
    is its poll interval, doubled after each further failure)."""


class CreditSettings(BaseModel):
    costs: dict[str, int] = Field(default_factory=dict)
    """Credits debited per accepted task, by operation name, overriding the defaults of the operation registry
    (``tunesmith.api.operations``; the README lists them); refunded when the task fails. A partial map overrides
    only the operations it names; an unknown name stops the server at start."""

    @field_validator("costs")
    @classmethod
    def _not_negative(cls, value: dict[str, int]) -> dict[str, int]:
        if any(cost < 0 for cost in value.values()):
            raise ValueError("credit costs must be >= 0")
        return value
    first_key_credits: int = 1000
    """Credits of the API key created on the first start of ``tunesmith serve``."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TUNESMITH_", env_nested_delimiter="__", extra="ignore")

    data_dir: Path = Path("data")
    """Directory for the database, generated files and secrets."""
    database_url: str | None = None
    """SQLAlchemy URL; default SQLite at ``<data_dir>/tunesmith.db``."""
    public_base_url: str | None = None
    """Absolute URL prefix of every file link, e.g. ``https://music.example.com``;
    default ``http://<host>:<port>``."""
    server: ServerSettings = ServerSettings()
    workers: WorkerSettings = WorkerSettings()
    engine: EngineSettings = EngineSettings()
    storage: StorageSettings = StorageSettings()
    webhooks: WebhookSettings = WebhookSettings()
    egress: EgressSettings = EgressSettings()
    limits: LimitsSettings = LimitsSettings()
    credits: CreditSettings = CreditSettings()
    lyrics: LyricsSettings = LyricsSettings()
    uploads: UploadSettings = UploadSettings()
    analysis: AnalysisSettings = AnalysisSettings()
    health: HealthSettings = HealthSettings()

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'tunesmith.db').resolve()}"

    @property
    def base_url(self) -> str:
        return (self.public_base_url or f"http://{self.server.host}:{self.server.port}").rstrip("/")

    @property
    def analysis_cache_dir(self) -> Path:
        """Analyses of uploaded audio (and their separated stems), by content hash; swept after
        ``uploads.retention_days`` without use."""
        return self.data_dir / "analysis"

    @property
    def files_dir(self) -> Path:
        return self.data_dir / "files"
