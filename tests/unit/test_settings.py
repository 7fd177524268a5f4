"""Settings stay documented: every field is in .env.example and README names the user-facing ones."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from streams.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def test_every_setting_is_listed_in_env_example():
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    missing = [name for name in Settings.model_fields if f"CLAIMWATCH_{name.upper()}" not in text]
    assert not missing, f".env.example lacks {', '.join('CLAIMWATCH_' + m.upper() for m in missing)}"


def test_secrets_are_not_shown_in_the_settings_repr(tmp_path):
    pem = tmp_path / "client.pem"
    pem.write_text("not read by Settings")
    settings = Settings(
        broker_url="kafka://broker:9093", ingest_token="push-secret", webhook_secret="hook-secret",
        security_protocol="SASL_SSL", sasl_username="alice", sasl_password="kafka-secret",
        ssl_certfile=pem, ssl_keyfile=pem, ssl_keyfile_password="key-secret",
    )
    shown = repr(settings) + str(settings)
    for secret in ("push-secret", "hook-secret", "kafka-secret", "key-secret"):
        assert secret not in shown


def test_a_settings_error_does_not_echo_the_secrets():
    # A combination error concerns the whole model; pydantic would show every input value with it.
    with pytest.raises(ValidationError) as error:
        Settings(broker_url="kafka://broker:9093", sasl_password="kafka-secret", ingest_token="push-secret")
    assert "CLAIMWATCH_SASL_PASSWORD set, but" in str(error.value)
    assert "kafka-secret" not in str(error.value) and "push-secret" not in str(error.value)


def test_an_empty_variable_counts_as_unset(monkeypatch):
    # docker-compose's ${VAR:-} passes empty strings for the variables a deployment does not use
    monkeypatch.setenv("CLAIMWATCH_SASL_USERNAME", "")
    monkeypatch.setenv("CLAIMWATCH_SASL_PASSWORD", "")
    monkeypatch.setenv("CLAIMWATCH_SSL_CAFILE", "")
    settings = Settings(_env_file=None)
    assert (settings.sasl_username, settings.sasl_password, settings.ssl_cafile) == (None, None, None)


def test_security_settings_come_from_the_environment(monkeypatch, tmp_path):
    ca = tmp_path / "ca.pem"
    ca.write_text("not read by Settings")
    for name, value in dict(BROKER_URL="kafka://b1:9093;b2:9093", SECURITY_PROTOCOL="sasl_ssl",
                            SASL_MECHANISM="scram-sha-512", SASL_USERNAME="alice", SASL_PASSWORD="kafka-secret",
                            SSL_CAFILE=str(ca), SSL_CHECK_HOSTNAME="false", STORE="rocksdb://").items():
        monkeypatch.setenv(f"CLAIMWATCH_{name}", value)
    settings = Settings(_env_file=None)
    assert (settings.security_protocol, settings.sasl_mechanism) == ("SASL_SSL", "SCRAM-SHA-512")
    assert settings.sasl_password is not None and settings.sasl_password.get_secret_value() == "kafka-secret"
    assert (settings.ssl_cafile, settings.ssl_check_hostname, settings.store) == (ca, False, "rocksdb://")
