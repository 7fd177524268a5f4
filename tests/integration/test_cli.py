"""The commands a user types, run as subprocesses against the embedded broker."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from schemas import DenialDetected

from .conftest import Worker, worker_env

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-m", "streams.cli"]


def claimwatch(*args: str, env: dict[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], cwd=ROOT, env=env or dict(os.environ), capture_output=True, text=True, timeout=timeout)


def test_an_unreadable_archive_gives_a_one_line_error_and_a_non_zero_exit(tmp_path):
    bad = tmp_path / "archive.jsonl"
    bad.write_text('{"kind": "article", "document_id": "a1", "occurred_at": "2016-12-28T08:00:00Z", "body": "x"}\n{oops\n')
    result = claimwatch("replay", str(bad))
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and f"{bad}:2" in lines[0], result.stderr


def test_a_missing_archive_is_named(tmp_path):
    result = claimwatch("replay", str(tmp_path / "nope.txt"))
    assert result.returncode == 1 and "nope.txt" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_demo_replays_the_seeds_and_prints_the_alerts_as_json():
    result = claimwatch("demo", "--json", "--timeout", "240")
    assert result.returncode == 0, result.stderr[-2000:]
    alerts = [DenialDetected.model_validate_json(line) for line in result.stdout.splitlines()]
    speakers = {a.denial.speaker for a in alerts}
    assert "Labib Nahhas" in speakers and "Dmitry Peskov" in speakers
    assert any("embassy" in s for s in speakers)
    assert len({a.alert_id for a in alerts}) == len(alerts)
    assert "first alert" in result.stderr


@pytest.mark.asyncio(loop_scope="module")
async def test_replay_then_subscribe_through_the_cli(worker: Worker):
    env = worker_env(worker.settings)
    replayed = claimwatch("replay", str(ROOT / "seeds"), env=env)
    assert replayed.returncode == 0, replayed.stderr
    assert "replayed 27 events" in replayed.stderr
    await worker.wait_idle()
    subscribed = claimwatch("subscribe", "--from-beginning", "--json", env=env)
    assert subscribed.returncode == 0, subscribed.stderr
    alerts = [json.loads(line) for line in subscribed.stdout.splitlines()]
    assert alerts and all({"alert_id", "claim", "denial", "stance", "confidence", "lag_seconds", "explanation", "severity"} <= a.keys() for a in alerts)
    readable = claimwatch("subscribe", "--from-beginning", env=env)
    assert "DENIED" in readable.stdout and "Labib Nahhas" in readable.stdout

    def filtered(*options: str) -> list[dict]:
        result = claimwatch("subscribe", "--from-beginning", "--json", *options, env=env)
        assert result.returncode == 0, result.stderr
        return [json.loads(line) for line in result.stdout.splitlines()]

    non_confirm = filtered("--stance", "non_confirm")
    assert non_confirm and all(a["stance"] == "non_confirm" for a in non_confirm) and len(non_confirm) < len(alerts)
    high = filtered("--min-severity", "high")
    assert all(a["severity"] == "high" for a in high) and len(high) == sum(a["severity"] == "high" for a in alerts)
    assert filtered("--since", "1h") == []  # the seeds are from 2016: event time, not arrival time
    assert len(filtered("--since", "2016-12-01")) == len(alerts)
    syria = filtered("--entity", "Syria")
    assert syria and all("syria" in json.dumps(a).lower() for a in syria)
    bad = claimwatch("subscribe", "--min-severity", "critical", env=env)
    assert bad.returncode == 1 and "severity" in bad.stderr


def test_broker_command_serves_the_other_commands(tmp_path):
    """`claimwatch broker` records its address; `replay` with the default `embedded` setting finds it."""
    env = dict(os.environ, CLAIMWATCH_DATA_DIR=str(tmp_path), CLAIMWATCH_BROKER_URL="embedded")
    broker = subprocess.Popen([*CLI, "broker", "--port", "0"], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert broker.stdout is not None
        line = broker.stdout.readline()
        assert line.startswith("broker ready at kafka://127.0.0.1:"), line
        assert (tmp_path / "broker.url").read_text().strip() in line
        replayed = claimwatch("replay", str(ROOT / "seeds"), env=env)
        assert replayed.returncode == 0 and "replayed 27 events" in replayed.stderr, replayed.stderr
    finally:
        broker.terminate()
        broker.wait(timeout=15)
    assert not (tmp_path / "broker.url").exists()
    assert claimwatch("replay", str(ROOT / "seeds"), env=env).returncode == 1  # no broker any more
