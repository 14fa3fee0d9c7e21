"""Typed settings for every earshot component, read from the environment and a root `.env`.

One class, validated at start: a misconfigured service dies with one clear line
(`SettingsError`), never mid-stream. Every variable is documented in `.env.example`.

    from core.settings import get_settings
    settings = get_settings()
"""

from __future__ import annotations

import ipaddress
import os
from functools import lru_cache
from pathlib import Path
from typing import Annotated
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent

Port = Annotated[int, Field(ge=1, le=65535)]


class SettingsError(SystemExit):
    """Raised (and exits) when the configuration is invalid; the message names the variable."""


def _alias(*names: str) -> AliasChoices:
    return AliasChoices(*names)


class Settings(BaseSettings):
    """All configuration. Environment variables are `EARSHOT_<FIELD>` unless an alias says otherwise."""

    model_config = SettingsConfigDict(
        env_prefix="EARSHOT_",
        env_file=REPO_ROOT / ".env",
        env_file_encoding="utf-8",
        extra="ignore",
        env_ignore_empty=True,  # `VAR=` in .env means "use the default"
        populate_by_name=True,
    )

    # --- where state lives -------------------------------------------------------------------
    cache_dir: Path = Path("~/.cache/earshot")
    data_dir: Path = Path("~/.local/share/earshot")

    # --- network -----------------------------------------------------------------------------
    bind_host: str = "127.0.0.1"
    # Where the host publishes the ports (compose: the containers bind 0.0.0.0, the host publishes
    # on EARSHOT_PUBLISH_HOST); empty = bind_host. Decides who can reach the dashboard and Airflow.
    publish_host: str = ""
    kafka_bootstrap: str = ""  # empty: the local stack's broker on bind_host:kafka_port
    kafka_port: Port = 9092
    kafka_controller_port: Port = 9093
    kafka_partitions: int = Field(default=3, ge=1, le=64)
    topic_prefix: str = Field(default="earshot", pattern=r"^[A-Za-z0-9_\-]+$")

    mongo_uri: str = Field(default="", validation_alias=_alias("MONGO_URI", "EARSHOT_MONGO_URI"))
    mongo_port: Port = 27017
    mongo_db: str = Field(default="earshot", pattern=r"^[A-Za-z0-9_\-]+$")
    # How long the plays job retries a batch while MongoDB is unreachable before it fails
    # (core.outage; docs/spark.md "When MongoDB or Kafka goes away").
    mongo_outage_seconds: float = Field(default=600, gt=0)

    app_port: Port = 8501
    airflow_port: Port = 8080

    # --- sign-in (docs/security.md) ------------------------------------------------------------
    auth: bool = True  # EARSHOT_AUTH=off: no sign-in, only allowed on a loopback bind_host
    session_hours: float = Field(default=12, gt=0)  # a dashboard sign-in lasts this long
    signin_max_failures: int = Field(default=5, ge=1)  # wrong passwords per account in the window …
    signin_window_minutes: int = Field(default=15, ge=1)  # … lock it for the rest of the window
    cookie_secret: SecretStr | None = None  # Streamlit's cookie signing key (random per start if unset)
    airflow_user: str = Field(default="admin", pattern=r"^[A-Za-z0-9_.\-]+$")
    airflow_password: SecretStr | None = None  # required when Airflow binds a non-loopback address

    # --- Spark ---------------------------------------------------------------------------------
    spark_master: str = Field(
        default="local[*]", validation_alias=_alias("SPARK_MASTER", "EARSHOT_SPARK_MASTER")
    )
    spark_shuffle_partitions: int = Field(default_factory=lambda: os.cpu_count() or 2, ge=1)
    spark_trigger_seconds: float = Field(default=0.25, ge=0)
    # the Kafka source's fetch.max.wait.ms (spark_jobs.sources.read_topic)
    kafka_fetch_wait_ms: int = Field(default=10, ge=0, le=30_000)
    spark_driver_memory: str = "2g"
    # spark.cores.max of each job on a cluster (ignored by local[*]): two streaming jobs and an
    # Airflow batch share one worker without one taking every core and starving the others.
    spark_cores_max: int = Field(default=1, ge=1)

    # --- counting rules ------------------------------------------------------------------------
    stream_threshold_ms: int = Field(default=30_000, ge=0)
    session_gap_minutes: int = Field(default=10, ge=1)
    dedup_tolerance_seconds: int = Field(default=90, ge=0)
    default_time_zone: str = "UTC"
    now_playing_stale_seconds: int = Field(default=120, ge=5)

    # --- Spotify (only the poller needs these) ---------------------------------------------------
    spotify_client_id: str = Field(
        default="", validation_alias=_alias("SPOTIFY_CLIENT_ID", "SPOTIPY_CLIENT_ID")
    )
    spotify_client_secret: SecretStr | None = Field(
        default=None, validation_alias=_alias("SPOTIFY_CLIENT_SECRET", "SPOTIPY_CLIENT_SECRET")
    )
    spotify_redirect_uri: str = Field(
        default="http://127.0.0.1:8888/callback",
        validation_alias=_alias("SPOTIFY_REDIRECT_URI", "SPOTIPY_REDIRECT_URI"),
    )
    spotify_api_base: str = "https://api.spotify.com/v1/"
    spotify_accounts_base: str = "https://accounts.spotify.com/"
    token_key: SecretStr | None = None  # Fernet key that encrypts stored Spotify tokens

    # --- notifications ---------------------------------------------------------------------------
    webhook_url: SecretStr | None = None

    # --- consumers: archive, alerts, health (consumer/) ------------------------------------------
    archive_enabled: bool = False  # also append every message to <data_dir>/archive/<topic>/<day>.jsonl
    alert_interval_seconds: float = Field(default=5.0, gt=0)  # how often alerts, milestones, lag run
    alert_deadletter_threshold: int = Field(default=20, ge=1)  # dead letters within the window → alert
    alert_deadletter_window_seconds: int = Field(default=300, ge=10)
    heartbeat_stale_seconds: int = Field(default=30, ge=2)  # no heartbeat for this long → alert
    milestone_streams_step: int = Field(default=1000, ge=1)  # "your N-thousandth stream"

    # --- Kaggle ------------------------------------------------------------------------------------
    kaggle_dir: Path = REPO_ROOT / "kaggle_seed" / "data"

    # --- data quality (Airflow data_quality DAG) ---------------------------------------------------
    min_catalog_coverage: float = Field(default=0.5, ge=0, le=1)  # share of plays with audio features

    @field_validator("cache_dir", "data_dir", "kaggle_dir", mode="after")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        value = value.expanduser()
        return value if value.is_absolute() else REPO_ROOT / value

    @field_validator("default_time_zone")
    @classmethod
    def _valid_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown IANA time zone {value!r} (e.g. 'Europe/Berlin')") from None
        return value

    @field_validator("spotify_redirect_uri")
    @classmethod
    def _loopback_redirect(cls, value: str) -> str:
        url = urlparse(value)
        if url.scheme == "http" and url.hostname not in {"127.0.0.1", "::1"}:
            raise ValueError(
                "Spotify accepts plain-HTTP redirects only on loopback IP literals: "
                "use http://127.0.0.1:<port>/callback (not 'localhost')"
            )
        if url.scheme not in {"http", "https"}:
            raise ValueError("must be an http(s) URL")
        return value

    @field_validator("mongo_uri")
    @classmethod
    def _mongo_scheme(cls, value: str) -> str:
        if value and not value.startswith(("mongodb://", "mongodb+srv://")):
            raise ValueError("must start with mongodb:// or mongodb+srv://")
        return value

    # --- derived ---------------------------------------------------------------------------------
    @property
    def connect_host(self) -> str:
        """Where a client on this machine reaches what binds `bind_host`: a wildcard bind
        (0.0.0.0, ::, as in a container) is no address to connect to or to hand out in a URL."""
        return connect_host(self.bind_host)

    @property
    def kafka_servers(self) -> str:
        return self.kafka_bootstrap or f"{self.connect_host}:{self.kafka_port}"

    @property
    def local_kafka(self) -> bool:
        """True when earshot should run its own broker (no external bootstrap configured)."""
        return not self.kafka_bootstrap

    @property
    def mongo_url(self) -> str:
        return self.mongo_uri or f"mongodb://{self.connect_host}:{self.mongo_port}/"

    @property
    def local_mongo(self) -> bool:
        return not self.mongo_uri

    @property
    def loopback(self) -> bool:
        """True when only this machine can connect: the published host (compose), else bind_host,
        is a loopback address."""
        return is_loopback(self.publish_host or self.bind_host)

    @property
    def checkpoint_dir(self) -> Path:
        return self.data_dir / "checkpoints"


WILDCARD_HOSTS = frozenset({"0.0.0.0", "::", "", "*"})


def connect_host(bind_host: str) -> str:
    """The loopback address for a wildcard bind host, else the bind host itself."""
    return "127.0.0.1" if bind_host in WILDCARD_HOSTS else bind_host


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:  # a host name, or "" (every interface): reachable from elsewhere
        return False


def load_settings(**overrides: object) -> Settings:
    """Build settings, turning validation errors into one readable `SettingsError`."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = "; ".join(
            f"{_env_name(err['loc'])}: {err['msg']}" for err in exc.errors(include_url=False)
        )
        raise SettingsError(f"earshot: invalid configuration: {problems}") from None


def _env_name(loc: tuple[int | str, ...]) -> str:
    return env_names(str(loc[0]) if loc else "?")[0]


def env_names(field: str) -> list[str]:
    """The environment variables that set a Settings field, the documented one first."""
    info = Settings.model_fields.get(field)
    alias = info.validation_alias if info else None
    if isinstance(alias, AliasChoices):
        return [str(c) for c in alias.choices]
    return [f"EARSHOT_{field.upper()}"]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (validated once). Tests call `get_settings.cache_clear()`."""
    return load_settings()
