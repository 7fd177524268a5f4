"""Security settings reach aiokafka and Faust (SASL PLAIN/SCRAM, TLS, mutual TLS), bad combinations
fail early with a clear message, and no secret is ever logged.

The certificates are made for each run with the ``openssl`` command: a throwaway CA, a server
certificate for localhost, and a client certificate whose key also exists encrypted.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import ssl
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from faust.transport.drivers.aiokafka import credentials_to_aiokafka_auth
from pydantic import ValidationError

from streams.app import broker_credentials, create_app
from streams.broker import BrokerError, EmbeddedBroker, free_port
from streams.kafka import SecurityConfigError, client_config, ensure_topics, ssl_context
from streams.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
URL = "kafka://broker-1.example:9093;broker-2.example:9093"
PASSWORD = "kafka-pw-7f3a9c"  # distinctive, so that a leak cannot hide in other text
KEY_PASSWORD = "key-pw-b41e0d"
CA_NAME, CLIENT_NAME = "claimwatch test CA", "claimwatch-client"

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command for test certificates")


@dataclass(frozen=True)
class Pki:
    ca: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path
    client_key_encrypted: Path  # KEY_PASSWORD
    client_combined: Path  # certificate and key in one file


def openssl(*args: str | Path, cwd: Path) -> None:
    subprocess.run(["openssl", *map(str, args)], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    d = tmp_path_factory.mktemp("pki")
    ec = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes")
    openssl("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", f"/CN={CA_NAME}", cwd=d)
    (d / "server.ext").write_text("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    for name, cn, ext in (("server", "localhost", ["-extfile", "server.ext"]), ("client", CLIENT_NAME, [])):
        openssl("req", *ec, "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", f"/CN={cn}", cwd=d)
        openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", f"{name}.pem", "-days", "2", *ext, cwd=d)
    openssl("pkey", "-in", "client.key", "-aes256", "-passout", f"pass:{KEY_PASSWORD}", "-out", "client-enc.key", cwd=d)
    (d / "client-combined.pem").write_text((d / "client.pem").read_text() + (d / "client.key").read_text())
    return Pki(d / "ca.pem", d / "server.pem", d / "server.key", d / "client.pem", d / "client.key",
               d / "client-enc.key", d / "client-combined.pem")


def tls(pki: Pki, protocol: str = "SSL", **extra: object) -> Settings:
    """Mutual TLS with the encrypted client key; SASL_* adds SCRAM-SHA-512 credentials unless given."""
    fields: dict[str, object] = dict(
        broker_url=URL, security_protocol=protocol, ssl_cafile=pki.ca, ssl_certfile=pki.client_cert,
        ssl_keyfile=pki.client_key_encrypted, ssl_keyfile_password=KEY_PASSWORD,
    )
    if protocol.startswith("SASL"):
        fields.update(sasl_mechanism="SCRAM-SHA-512", sasl_username="alice", sasl_password=PASSWORD)
    fields.update(extra)
    return Settings(**fields)


def sasl(mechanism: str, protocol: str = "SASL_PLAINTEXT", **extra: object) -> Settings:
    return Settings(broker_url=URL, security_protocol=protocol, sasl_mechanism=mechanism, sasl_username="alice",
                    sasl_password=PASSWORD, **extra)


def ca_names(context: ssl.SSLContext) -> list[str]:
    return [value for cert in context.get_ca_certs() for rdn in cert["subject"] for key, value in rdn if key == "commonName"]


# --- TLS -------------------------------------------------------------------------------------


def test_plaintext_has_no_tls_and_no_sasl():
    config = client_config(Settings(broker_url=URL), URL)
    assert config == {"bootstrap_servers": "broker-1.example:9093,broker-2.example:9093", "security_protocol": "PLAINTEXT"}
    assert broker_credentials(Settings(broker_url=URL)) is None


@pytest.mark.parametrize("protocol", ["SSL", "SASL_SSL"])
@pytest.mark.parametrize("check_hostname", [True, False])
def test_tls_settings_reach_the_aiokafka_config(pki, protocol, check_hostname):
    config = client_config(tls(pki, protocol, ssl_check_hostname=check_hostname), URL)
    context = config["ssl_context"]
    assert config["security_protocol"] == protocol
    assert isinstance(context, ssl.SSLContext)
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname is check_hostname
    assert ca_names(context) == [CA_NAME]  # only the configured CA, not the system ones


def test_without_a_cafile_the_system_cas_verify_the_broker(pki):
    context = client_config(Settings(broker_url=URL, security_protocol="SSL"), URL)["ssl_context"]
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    assert CA_NAME not in ca_names(context)


@dataclass
class TlsServer:
    port: int
    client_names: list[str]


async def tls_server(pki: Pki) -> tuple[asyncio.Server, TlsServer]:
    """A localhost TLS server that requires a client certificate from the test CA and records its name."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=str(pki.ca))
    context.load_cert_chain(pki.server_cert, pki.server_key)
    context.verify_mode = ssl.CERT_REQUIRED
    seen = TlsServer(0, [])

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        subject = writer.get_extra_info("peercert")["subject"]
        seen.client_names += [value for rdn in subject for key, value in rdn if key == "commonName"]
        writer.write(b"hello\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=context)
    seen.port = server.sockets[0].getsockname()[1]
    return server, seen


async def handshake(context: ssl.SSLContext, port: int, server_hostname: str) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port, ssl=context, server_hostname=server_hostname)
    try:
        return await reader.readline()
    finally:
        writer.close()


@pytest.mark.parametrize("keyfile", ["encrypted", "plain", "in the certificate file"])
async def test_the_context_presents_the_client_certificate_and_verifies_the_broker(pki, keyfile):
    settings = {
        "encrypted": tls(pki),
        "plain": tls(pki, ssl_keyfile=pki.client_key, ssl_keyfile_password=None),
        "in the certificate file": tls(pki, ssl_certfile=pki.client_combined, ssl_keyfile=None, ssl_keyfile_password=None),
    }[keyfile]
    server, seen = await tls_server(pki)
    async with server:
        assert await handshake(client_config(settings, URL)["ssl_context"], seen.port, "localhost") == b"hello\n"
        assert seen.client_names == [CLIENT_NAME]


async def test_the_host_name_is_checked_unless_turned_off(pki):
    server, seen = await tls_server(pki)
    async with server:
        with pytest.raises(ssl.SSLCertVerificationError, match="[Hh]ostname"):
            await handshake(ssl_context(tls(pki)), seen.port, "not-the-broker.example")
        unchecked = ssl_context(tls(pki, ssl_check_hostname=False))
        assert await handshake(unchecked, seen.port, "not-the-broker.example") == b"hello\n"


async def test_a_broker_certificate_from_another_ca_is_refused(pki, tmp_path):
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
            "other.key", "-out", "other.pem", "-days", "1", "-subj", "/CN=some other CA", cwd=tmp_path)
    server, seen = await tls_server(pki)
    async with server:
        with pytest.raises(ssl.SSLCertVerificationError):
            await handshake(ssl_context(tls(pki, ssl_cafile=tmp_path / "other.pem")), seen.port, "localhost")


# --- SASL ------------------------------------------------------------------------------------


@pytest.mark.parametrize("mechanism", ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"])
@pytest.mark.parametrize("protocol", ["SASL_PLAINTEXT", "SASL_SSL"])
def test_sasl_settings_reach_the_aiokafka_config(pki, mechanism, protocol):
    extra = {"ssl_cafile": pki.ca} if protocol == "SASL_SSL" else {}
    config = client_config(sasl(mechanism, protocol, **extra), URL)
    assert config["security_protocol"] == protocol
    assert config["sasl_mechanism"] == mechanism
    assert config["sasl_plain_username"] == "alice"
    assert config["sasl_plain_password"] == PASSWORD
    assert ("ssl_context" in config) is (protocol == "SASL_SSL")
    assert PASSWORD not in repr(config) and PASSWORD not in str(config)  # a logged config shows stars


def test_protocol_and_mechanism_are_case_insensitive():
    settings = Settings(broker_url=URL, security_protocol="sasl_plaintext", sasl_mechanism="scram_sha_256",
                        sasl_username="alice", sasl_password=PASSWORD)
    assert (settings.security_protocol, settings.sasl_mechanism) == ("SASL_PLAINTEXT", "SCRAM-SHA-256")


# --- Faust gets the same ---------------------------------------------------------------------


def faust_auth(settings: Settings) -> dict[str, object]:
    """What Faust's aiokafka driver passes to its consumers and producers for these settings."""
    return dict(credentials_to_aiokafka_auth(broker_credentials(settings)))


@pytest.mark.parametrize("mechanism", ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"])
@pytest.mark.parametrize("protocol", ["SASL_PLAINTEXT", "SASL_SSL"])
def test_faust_gets_the_same_sasl_settings(pki, mechanism, protocol):
    settings = tls(pki, protocol, sasl_mechanism=mechanism) if protocol == "SASL_SSL" else sasl(mechanism)
    ours, faust = client_config(settings, URL), faust_auth(settings)
    for key in ("security_protocol", "sasl_mechanism", "sasl_plain_username", "sasl_plain_password"):
        assert faust[key] == ours[key], key
    if protocol == "SASL_SSL":
        assert faust["ssl_context"].verify_mode == ssl.CERT_REQUIRED
        assert ca_names(faust["ssl_context"]) == [CA_NAME]
    else:
        assert faust["ssl_context"] is None


def test_faust_gets_the_same_tls_settings(pki):
    faust = faust_auth(tls(pki, ssl_check_hostname=False))
    assert faust["security_protocol"] == "SSL"
    assert faust["ssl_context"].verify_mode == ssl.CERT_REQUIRED and not faust["ssl_context"].check_hostname
    assert ca_names(faust["ssl_context"]) == [CA_NAME]


@pytest.mark.parametrize("protocol", ["SSL", "SASL_SSL"])
async def test_the_faust_app_builds_its_producer_with_them(pki, tmp_path, protocol):
    app = create_app(tls(pki, protocol, data_dir=tmp_path))
    producer = app.producer._new_producer()  # what the worker starts (Faust's aiokafka driver)
    try:
        client = producer.client
        assert client._security_protocol == protocol
        assert isinstance(client._ssl_context, ssl.SSLContext) and ca_names(client._ssl_context) == [CA_NAME]
        if protocol == "SASL_SSL":
            assert (client._sasl_mechanism, client._sasl_plain_username) == ("SCRAM-SHA-512", "alice")
            assert client._sasl_plain_password == PASSWORD
    finally:
        await producer.stop()


@pytest.mark.parametrize("protocol", ["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"])
async def test_aiokafka_accepts_the_config(pki, protocol):
    settings = {"PLAINTEXT": Settings(broker_url=URL), "SSL": tls(pki), "SASL_PLAINTEXT": sasl("SCRAM-SHA-256"),
                "SASL_SSL": tls(pki, "SASL_SSL")}[protocol]
    config = client_config(settings, URL)
    producer, consumer = AIOKafkaProducer(**config), AIOKafkaConsumer(**config)  # both validate their arguments
    await producer.stop()
    await consumer.stop()
    await AIOKafkaAdminClient(**config).close()


# --- bad settings fail early and say why ----------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (dict(security_protocol="SASL_SSL"), "CLAIMWATCH_SECURITY_PROTOCOL=SASL_SSL needs CLAIMWATCH_SASL_USERNAME "
                                             "and CLAIMWATCH_SASL_PASSWORD"),
        (dict(security_protocol="SASL_PLAINTEXT", sasl_username="alice"), "needs CLAIMWATCH_SASL_PASSWORD"),
        (dict(sasl_username="alice", sasl_password=PASSWORD), "PLAINTEXT does not use SASL"),
        (dict(security_protocol="TLS"), "Input should be 'PLAINTEXT', 'SSL', 'SASL_PLAINTEXT' or 'SASL_SSL'"),
        (dict(security_protocol="SASL_PLAINTEXT", sasl_mechanism="GSSAPI", sasl_username="a", sasl_password=PASSWORD),
         "Input should be 'PLAIN', 'SCRAM-SHA-256' or 'SCRAM-SHA-512'"),
        (dict(ssl_cafile="CA"), "CLAIMWATCH_SSL_CAFILE set, but CLAIMWATCH_SECURITY_PROTOCOL=PLAINTEXT does not use TLS"),
        (dict(security_protocol="SSL", ssl_keyfile="KEY"), "CLAIMWATCH_SSL_KEYFILE needs CLAIMWATCH_SSL_CERTFILE"),
        (dict(security_protocol="SSL", ssl_keyfile_password=KEY_PASSWORD),
         "CLAIMWATCH_SSL_KEYFILE_PASSWORD needs CLAIMWATCH_SSL_CERTFILE"),
        (dict(security_protocol="SSL", ssl_cafile="missing.pem"), "ssl_cafile\n  Path does not point to a file"),
        (dict(broker_url="embedded", security_protocol="SSL"), "the embedded broker speaks PLAINTEXT only"),
        (dict(store="redis://"), "CLAIMWATCH_STORE must be memory:// or rocksdb://"),
    ],
)
def test_bad_combinations_fail_with_a_clear_message(pki, fields, message):
    files = {"CA": pki.ca, "KEY": pki.client_key}
    fields = {"broker_url": URL, **{k: files.get(v, v) if isinstance(v, str) else v for k, v in fields.items()}}
    with pytest.raises(ValidationError) as error:
        Settings(**fields)
    assert message in str(error.value)
    assert PASSWORD not in str(error.value) and KEY_PASSWORD not in str(error.value)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (dict(ssl_keyfile_password=None), "CLAIMWATCH_SSL_KEYFILE is encrypted: set CLAIMWATCH_SSL_KEYFILE_PASSWORD"),
        (dict(ssl_keyfile_password="wrong"), "cannot load the client certificate"),
        (dict(ssl_keyfile=None, ssl_keyfile_password=None), "set CLAIMWATCH_SSL_KEYFILE unless the certificate file "
                                                            "holds the key"),
        (dict(ssl_cafile="NOT A CA"), "cannot load CLAIMWATCH_SSL_CAFILE"),
    ],
)
def test_unusable_tls_files_fail_with_a_clear_message(pki, fields, message):
    if fields.get("ssl_cafile") == "NOT A CA":
        fields["ssl_cafile"] = pki.client_key
    with pytest.raises(SecurityConfigError, match="CLAIMWATCH_SSL_") as error:  # never an OpenSSL password prompt
        client_config(tls(pki, **fields), URL)
    assert message in str(error.value)
    assert KEY_PASSWORD not in str(error.value)


def test_memory_and_rocksdb_stores_are_accepted_in_any_case():
    assert Settings(store="ROCKSDB://").store == "rocksdb://"
    assert Settings(store="memory").store == "memory://"


def test_rocksdb_without_rocksdict_fails_at_startup(monkeypatch, tmp_path):
    from faust.exceptions import ImproperlyConfigured

    monkeypatch.setitem(sys.modules, "rocksdict", None)  # import rocksdict now raises ImportError
    monkeypatch.setitem(sys.modules, "rocksdb", None)
    with pytest.raises(ImproperlyConfigured, match=r"rocksdb:// needs the rocksdict package: pip install 'claimwatch\[rocksdb\]'"):
        create_app(Settings(broker_url=URL, store="rocksdb://", data_dir=tmp_path))


# --- no secret is ever logged ----------------------------------------------------------------


def assert_no_secret(text: str, where: str) -> None:
    for secret in (PASSWORD, KEY_PASSWORD):
        assert secret not in text, f"a secret appears in {where}:\n{text}"


@pytest.fixture(scope="module")
def broker() -> Iterator[EmbeddedBroker]:
    """The embedded broker: it speaks neither SASL nor TLS, so every secured attempt fails."""
    with EmbeddedBroker() as embedded:
        yield embedded


@pytest.mark.integration
async def test_no_secret_is_logged_while_configuring_and_failing_to_connect(pki, tmp_path, caplog, broker):
    caplog.set_level(logging.DEBUG)  # the root logger: aiokafka, Faust, mode and claimwatch
    for protocol in ("SSL", "SASL_SSL", "SASL_PLAINTEXT"):
        settings = tls(pki, protocol, data_dir=tmp_path) if protocol != "SASL_PLAINTEXT" else sasl(
            "SCRAM-SHA-256", data_dir=tmp_path)
        config = client_config(settings, broker.url)
        logging.getLogger("claimwatch.test").debug("config %s credentials %r settings %r", config,
                                                   broker_credentials(settings), settings)
        app = create_app(settings)
        await app.producer._new_producer().stop()
    with pytest.raises(BrokerError, match=r"cannot connect to the broker at 127\.0\.0\.1:\d+ over SASL_PLAINTEXT "
                                          r"\(PLAIN as 'alice'\)") as error:
        await ensure_topics(sasl("PLAIN", data_dir=tmp_path), broker.url)
    assert "SaslHandShakeRequest" in caplog.text  # aiokafka's own records are captured
    assert_no_secret(caplog.text, "the log records")
    assert_no_secret(str(error.value), "the error")


def run_cli(args: list[str], env: dict[str, str], timeout: float = 60.0) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run([sys.executable, "-m", "streams.cli", *args], env=env, cwd=ROOT, capture_output=True,
                              text=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise AssertionError(f"`claimwatch {' '.join(args)}` did not give up within {timeout:.0f}s") from exc


@pytest.mark.integration
@pytest.mark.parametrize("command", [["replay", "seeds"], ["worker"]])
@pytest.mark.parametrize("protocol", ["SASL_PLAINTEXT", "SASL_SSL"])
def test_a_command_that_cannot_authenticate_exits_with_one_line_and_no_secret(pki, tmp_path, broker, command, protocol):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLAIMWATCH_")}
    env.update(CLAIMWATCH_DATA_DIR=str(tmp_path), CLAIMWATCH_SECURITY_PROTOCOL=protocol,
               CLAIMWATCH_SASL_MECHANISM="SCRAM-SHA-512", CLAIMWATCH_SASL_USERNAME="alice",
               CLAIMWATCH_SASL_PASSWORD=PASSWORD)
    if protocol == "SASL_SSL":
        env.update(CLAIMWATCH_SSL_CAFILE=str(pki.ca), CLAIMWATCH_SSL_CERTFILE=str(pki.client_cert),
                   CLAIMWATCH_SSL_KEYFILE=str(pki.client_key_encrypted), CLAIMWATCH_SSL_KEYFILE_PASSWORD=KEY_PASSWORD)
    # The embedded broker refuses SASL at once. A TLS client would wait 40 s for its answer, so the
    # SASL_SSL run goes to a closed port: the TLS context (with the encrypted key) is still built.
    env["CLAIMWATCH_BROKER_URL"] = broker.url if protocol == "SASL_PLAINTEXT" else f"kafka://127.0.0.1:{free_port()}"
    result = run_cli(command, env)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "error: " in result.stderr and "cannot connect to the broker at 127.0.0.1:" in result.stderr, output
    assert f"over {protocol} (SCRAM-SHA-512 as 'alice')" in result.stderr, output
    assert "Traceback" not in output, output
    assert_no_secret(output, f"the output of `claimwatch {' '.join(command)}`")
