"""The one settings object. Nothing else in the app reads ``os.environ``."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


# Secrets that ship in the repository (Makefile, .env.example, tests): never accepted
# outside development.
KNOWN_DEFAULT_SECRETS = frozenset({"dev-service-token-change-me", "change-me", "changeme"})
MIN_SECRET_LENGTH = 32
MAKE_SECRET_HINT = "python -c 'import secrets; print(secrets.token_urlsafe(32))'"  # noqa: S105


class Settings(BaseSettings):
    """Settings from the environment (documented in ``.env.example``)."""

    # var/secrets.env holds the development secrets `make run` generates (scripts/dev-secret.sh),
    # so that a process started by hand finds them too; the environment and .env come first.
    model_config = SettingsConfigDict(
        env_file=(PROJECT_ROOT / "var" / "secrets.env", PROJECT_ROOT / ".env"),
        extra="ignore",
        case_sensitive=False,
    )

    # "development" (the default: `make run`, tests) accepts the development service token;
    # any other value (production, staging...) refuses to start with a default or short one.
    app_env: str = "development"
    database_url: str = f"sqlite:///{PROJECT_ROOT / 'var' / 'app.db'}"
    service_token: str = Field(default="dev-service-token-change-me", min_length=8)
    backend_url: str = "http://127.0.0.1:8000"
    rasa_url: str = "http://127.0.0.1:5005"
    # Sent to Rasa on every turn (rasa_runtime/contract.py); the gateway refuses to start
    # without one of at least 32 characters.
    rasa_shared_secret: str = ""
    gateway_url: str = "http://127.0.0.1:8080"
    public_base_url: str = ""
    redis_url: str = ""

    telegram_bot_token: str = ""
    telegram_webhook_secret: str = ""
    telegram_api_base_url: str = ""

    twilio_account_sid: str = ""
    twilio_auth_token: str = ""
    twilio_whatsapp_from: str = ""
    twilio_template_sid: str = ""
    twilio_api_base_url: str = ""  # only for tests against a local fake Twilio API

    # Ticket policy
    reopen_window_days: int = Field(default=7, ge=0)
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    # The pulse reader's batches: 500 items of 5,000 characters, Devanagari escaped as \uXXXX.
    pulse_max_body_bytes: int = Field(default=16 * 1024 * 1024, ge=1024)

    # Pulse sources (backend/pulse_feeds.py): how often the worker looks for due feeds, how
    # long a feed may take to answer, whether feed URLs may point at private addresses, and
    # the largest export upload (POST /admin/v1/pulse/sources/{name}/imports).
    pulse_pull_interval_seconds: float = Field(default=60.0, gt=0)
    pulse_feed_timeout_seconds: float = Field(default=10.0, gt=0)
    pulse_feeds_allow_private: bool = False
    pulse_max_upload_bytes: int = Field(default=32 * 1024 * 1024, ge=1024)

    # Outbox
    notification_max_attempts: int = Field(default=6, ge=1)
    notification_backoff_seconds: float = Field(default=10.0, gt=0)
    worker_poll_seconds: float = Field(default=1.0, gt=0)
    sla_sweep_interval_seconds: float = Field(default=60.0, gt=0)
    worker_batch_size: int = Field(default=100, ge=1)

    # Scheme search cache and embeddings
    cache_dir: Path = PROJECT_ROOT / "var" / "cache"
    # The sentence encoder's ONNX graphs (backend/encoder_graph.py builds them at set-up; the
    # app image ships them built, read-only).
    encoder_dir: Path = PROJECT_ROOT / "var" / "encoder"
    load_embedding_model: bool = True

    # Rate limits on /api and /admin, per token (token buckets; shared through Redis when
    # REDIS_URL is set, else per process). The service token speaks for every citizen.
    rate_limit_enabled: bool = True
    rate_limit_service_per_second: float = Field(default=500.0, gt=0)
    rate_limit_service_burst: int = Field(default=1000, ge=1)
    rate_limit_officer_per_second: float = Field(default=10.0, gt=0)
    rate_limit_officer_burst: int = Field(default=120, ge=1)
    rate_limit_anonymous_per_second: float = Field(default=2.0, gt=0)
    rate_limit_anonymous_burst: int = Field(default=30, ge=1)
    # Failed authentications (a wrong or made-up token on /api or /admin, a wrong token at the
    # dashboard's sign-in), per client address: 10 at once, then one more every 6 seconds.
    rate_limit_auth_failure_per_second: float = Field(default=10 / 60, gt=0)
    rate_limit_auth_failure_burst: int = Field(default=10, ge=1)
    # Per chat sender on the gateway (same token buckets, shared through Redis too): a person
    # answering the assistant stays far below this; a flood from one sender does not reach
    # Rasa (web chat: 429; Telegram/WhatsApp: recorded, the user is told once to slow down).
    rate_limit_sender_per_second: float = Field(default=0.5, gt=0)
    rate_limit_sender_burst: int = Field(default=20, ge=1)

    # Observability: bearer token for GET /metrics (empty: open, keep it on the internal
    # network); the worker serves its own counters on this port when set (0: off).
    metrics_token: str = ""
    worker_metrics_port: int = Field(default=0, ge=0, le=65535)

    log_level: str = "INFO"
    log_json: bool = False

    # CPGRAMS, automatically (backend/cpgrams_pull.py): both off by default. The worker pulls
    # {CPGRAMS_PULL_URL}/grievances page by page with the token as a Bearer header, and writes
    # status changes back to {CPGRAMS_PULL_URL}/grievances/{registration number}/status; and/or
    # imports the *.csv / *.json files dropped in CPGRAMS_WATCH_DIR.
    cpgrams_pull_url: str = ""
    cpgrams_pull_token: SecretStr | None = None
    cpgrams_pull_interval_seconds: float = Field(default=900.0, gt=0)
    cpgrams_watch_dir: Path | None = None

    @model_validator(mode="after")
    def _cpgrams_pull_needs_its_token(self) -> Settings:
        url = self.cpgrams_pull_url.strip()
        if url and not url.startswith(("https://", "http://")):
            raise ValueError("CPGRAMS_PULL_URL must be an http(s) address")
        token = self.cpgrams_pull_token.get_secret_value() if self.cpgrams_pull_token else ""
        if url and not token.strip():
            raise ValueError("CPGRAMS_PULL_URL is set but CPGRAMS_PULL_TOKEN is not")
        return self

    @model_validator(mode="after")
    def _no_default_secrets_outside_development(self) -> Settings:
        if self.app_env.strip().lower() in ("development", "dev"):
            return self
        token = self.service_token
        if token in KNOWN_DEFAULT_SECRETS or len(token) < MIN_SECRET_LENGTH:
            raise ValueError(
                f"APP_ENV={self.app_env}: SERVICE_TOKEN is a default or shorter than "
                f"{MIN_SECRET_LENGTH} characters (it also signs dashboard sessions). "
                f"Make one with: {MAKE_SECRET_HINT}"
            )
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def get_settings() -> Settings:
    return Settings()
