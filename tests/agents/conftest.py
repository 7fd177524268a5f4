"""Agent tests: Faust's ``test_context`` (no broker), with the agents' outgoing sends captured."""

from __future__ import annotations

import asyncio
from collections import defaultdict

import pytest

from streams.app import app, topics


@pytest.fixture
def test_app():
    app.finalize()
    app.flow_control.resume()
    return app


@pytest.fixture
def sent(monkeypatch) -> dict[str, list[tuple[bytes | None, bytes]]]:
    """Records ``(key, value)`` of every send to the statements, alerts, claims and deadletter topics."""
    calls: dict[str, list[tuple[bytes | None, bytes]]] = defaultdict(list)
    for name in ("statements", "alerts", "claims", "deadletter"):
        topic = getattr(topics, name)

        async def fake_send(*args, key=None, value=None, _name=name, **kwargs):
            calls[_name].append((key, value))
            delivered = asyncio.get_running_loop().create_future()  # what the broker's ack resolves
            delivered.set_result(None)
            return delivered

        monkeypatch.setattr(topic, "send", fake_send)
    return calls
