"""The dashboard in a real browser (Debian's headless chromium through chromedriver).

Loads ``/`` of a running worker, sees the seeds' alerts arrive live over SSE, then a reader comment
carrying ``<script>`` and ``<img onerror>`` is pushed: its alert must show the markup as text, and
nothing in it may run.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from collections.abc import Iterator
from datetime import datetime, timezone

import aiohttp
import pytest

from .conftest import INGEST_TOKEN, Worker
from .test_seed_pipeline import replay_seeds

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="module")]

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
AFP = "000_f62884ef3a0fed5e"
HOSTILE = (
    'That is false: Turkey and Russia did not agree a nationwide truce plan for Syria '
    '<script>window.__pwned = "script"; document.title = "pwned"</script>'
    '<img src=x onerror="window.__pwned = \'img\'; document.title = \'pwned\'">'
)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not (shutil.which(CHROMIUM) and shutil.which(CHROMEDRIVER)):
        pytest.fail("Debian's chromium and chromium-driver are needed (scripts/test installs them)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--window-size=1500,1000"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


async def until(driver, script: str, timeout: float, what: str):  # type: ignore[no-untyped-def]
    """Poll a JavaScript expression in the page until it is truthy (no fixed sleeps)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = driver.execute_script(f"return ({script});")
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        await asyncio.sleep(0.25)


async def test_alerts_arrive_live_and_hostile_text_stays_text(worker: Worker, browser, tmp_path):
    driver = browser
    base = f"http://127.0.0.1:{worker.settings.web_port}"
    driver.get(base + "/")
    assert driver.title == "claimwatch"
    await until(driver, "document.getElementById('conn').textContent === 'live'", 60, "the SSE stream to open")
    assert driver.execute_script("return document.querySelectorAll('#alerts li').length") == 0

    await replay_seeds(worker)  # while the page is open: the alerts must arrive live
    await until(driver, "document.querySelectorAll('#alerts li').length >= 9", 120, "the seed alerts")
    texts = driver.execute_script("return [...document.querySelectorAll('#alerts [data-role=denial-text]')].map(e => e.textContent)")
    assert any("News talking about their approval of a ceasefire is incorrect" in t for t in texts)

    comment = {"document_id": "hostile-1", "article_id": AFP, "author": "troll <b>bold</b>", "text": HOSTILE,
               "occurred_at": datetime(2016, 12, 28, 20, 0, tzinfo=timezone.utc).isoformat()}
    async with aiohttp.ClientSession() as session:
        async with session.post(base + "/ingest/comments", data=json.dumps(comment),
                                headers={"Authorization": f"Bearer {INGEST_TOKEN}"}) as response:
            assert response.status == 202, await response.text()

    card_text = await until(
        driver,
        "[...document.querySelectorAll('#alerts [data-role=denial-text]')].map(e => e.textContent)"
        ".find(t => t.includes('onerror')) || ''",
        120, "the hostile comment's alert",
    )
    assert "<script>window.__pwned" in card_text and "<img src=x onerror=" in card_text  # shown as text
    assert driver.execute_script("return document.querySelectorAll('#alerts script, #alerts img, #detail script, #detail img').length") == 0
    driver.find_element("css selector", "#alerts li").click()  # its claim's timeline, with the comment in it
    await until(driver, "[...document.querySelectorAll('#detail .step-text')].some(e => e.textContent.includes('onerror'))",
                30, "the timeline to show the comment")
    assert driver.execute_script("return document.querySelectorAll('#detail script, #detail img').length") == 0
    assert driver.execute_script("return window.__pwned === undefined") is True
    assert driver.title == "claimwatch"
    severe = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert not severe, severe
    # README's screenshot: CLAIMWATCH_SCREENSHOT=docs/dashboard.png scripts/test tests/integration/test_dashboard.py
    driver.save_screenshot(os.environ.get("CLAIMWATCH_SCREENSHOT") or str(tmp_path / "dashboard.png"))


async def test_claim_endpoint_gives_the_timeline_and_status(worker: Worker):
    base = f"http://127.0.0.1:{worker.settings.web_port}"
    async with aiohttp.ClientSession() as session:
        async with session.get(base + "/claims?status=denied") as response:
            denied = await response.json()
        assert denied and all(c["status"] == "denied" for c in denied)
        claim = next(c for c in denied if "truce plan" in c["text"])
        async with session.get(base + f"/claims/{claim['claim_id']}") as response:
            assert response.status == 200
            detail = await response.json()
        kinds = [e["kind"] for e in detail["timeline"]]
        assert kinds[0] == "first_report" and "deny" in kinds and "non_confirm" in kinds
        assert any(e["speaker"] == "Labib Nahhas" and e["kind"] == "deny" and e["alert_id"] for e in detail["timeline"])
        times = [e["occurred_at"] for e in detail["timeline"]]
        assert times == sorted(times)
        async with session.get(base + "/claims/claim-nope") as response:
            assert response.status == 404
        async with session.get(base + "/") as response:
            csp = response.headers["Content-Security-Policy"]
            assert "script-src 'self'" in csp and "unsafe-inline" not in csp


async def read_events(response, count: int, timeout: float = 60) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    """(event, id, data) of the next ``count`` events of an open SSE response."""
    events: list[tuple[str, str, str]] = []
    fields: dict[str, str] = {}

    async def collect() -> None:
        async for raw in response.content:
            line = raw.decode().rstrip("\n")
            if not line:
                if "event" in fields:
                    events.append((fields["event"], fields.get("id", ""), fields.get("data", "")))
                    if len(events) >= count:
                        return
                fields.clear()
            elif not line.startswith(":") and ":" in line:
                name, _, value = line.partition(":")
                fields[name] = value.lstrip()

    await asyncio.wait_for(collect(), timeout)
    return events


async def test_sse_filters_and_resumes_after_the_last_event_id(worker: Worker):
    base = f"http://127.0.0.1:{worker.settings.web_port}"
    async with aiohttp.ClientSession() as session:
        async with session.get(base + "/alerts?stance=non_confirm") as response:
            expected = [a["alert_id"] for a in await response.json()]
        assert expected
        async with session.get(base + "/alerts/stream?stance=non_confirm&replay=1000") as response:
            assert response.headers["Content-Type"].startswith("text/event-stream")
            events = await read_events(response, len(expected))
        assert [e[0] for e in events] == ["alert"] * len(expected)
        assert [e[1] for e in events] == expected
        assert all(json.loads(e[2])["stance"] == "non_confirm" for e in events)

        async with session.get(base + "/alerts") as response:
            everything = [a["alert_id"] for a in await response.json()]
        async with session.get(base + "/alerts/stream?replay=1000", headers={"Last-Event-ID": everything[1]}) as response:
            resumed = await read_events(response, len(everything) - 2)
        assert [e[1] for e in resumed] == everything[2:]
        async with session.get(base + "/alerts/stream?min_severity=urgent") as response:
            assert response.status == 400 and "severity" in (await response.json())["detail"]
