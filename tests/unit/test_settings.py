"""Settings stay documented: every field is in .env.example and README names the user-facing ones."""

from __future__ import annotations

from pathlib import Path

from streams.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def test_every_setting_is_listed_in_env_example():
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    missing = [name for name in Settings.model_fields if f"CLAIMWATCH_{name.upper()}" not in text]
    assert not missing, f".env.example lacks {', '.join('CLAIMWATCH_' + m.upper() for m in missing)}"


def test_secrets_are_not_shown_in_the_settings_repr():
    settings = Settings(ingest_token="push-secret", webhook_secret="hook-secret", sasl_password="kafka-secret")
    shown = repr(settings) + str(settings)
    assert "push-secret" not in shown and "hook-secret" not in shown and "kafka-secret" not in shown
