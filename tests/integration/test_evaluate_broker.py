"""`evaluate rumoureval --broker` (the real stream) agrees with the in-process evaluation.

The thread is written here, in the RumourEval 2019 layout; no dataset text is copied."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from streams.evaluate.broker import evaluate_rumoureval_broker
from streams.evaluate.rumoureval import evaluate

pytestmark = pytest.mark.integration

SOURCE = ("1000", "newsdesk", "Sat Dec 13 09:00:00 +0000 2014",
          "Police say the gunman who took hostages at the Lindt cafe in Sydney has been arrested and all hostages are safe.")
REPLIES = [
    ("1001", "reader_a", "Sat Dec 13 09:05:00 +0000 2014",
     "@newsdesk False: police have not arrested the gunman at the Lindt cafe in Sydney, the hostages are not safe.", "deny"),
    ("1002", "reader_b", "Sat Dec 13 09:06:00 +0000 2014", "@newsdesk Is this confirmed? Source?", "query"),
    ("1003", "reader_c", "Sat Dec 13 09:07:00 +0000 2014",
     "@newsdesk Great news, the Sydney gunman has been arrested and the hostages are safe!", "support"),
    ("1004", "reader_d", "Sat Dec 13 09:08:00 +0000 2014", "@newsdesk praying for everyone there", "comment"),
]


def tweet(post_id: str, author: str, created_at: str, text: str, parent: str | None) -> dict:
    return {"id_str": post_id, "text": text, "created_at": created_at, "in_reply_to_status_id_str": parent,
            "user": {"screen_name": author}}


@pytest.fixture
def thread_dir(tmp_path: Path) -> tuple[Path, Path]:
    folder = tmp_path / "sydneysiege" / SOURCE[0]
    (folder / "source-tweet").mkdir(parents=True)
    (folder / "replies").mkdir()
    (folder / "source-tweet" / f"{SOURCE[0]}.json").write_text(json.dumps(tweet(*SOURCE, None)))
    for post_id, author, created_at, text, _ in REPLIES:
        (folder / "replies" / f"{post_id}.json").write_text(json.dumps(tweet(post_id, author, created_at, text, SOURCE[0])))
    (folder / "structure.json").write_text(json.dumps({SOURCE[0]: {r[0]: [] for r in REPLIES}}))
    key = tmp_path / "key.json"
    key.write_text(json.dumps({"subtaskaenglish": {SOURCE[0]: "support", **{r[0]: r[4] for r in REPLIES}}}))
    return tmp_path / "sydneysiege", key


async def test_the_broker_and_in_process_evaluations_agree(thread_dir):
    data_dir, key = thread_dir
    in_process = evaluate(data_dir, key, mode="unlinked", direct_claims=False)
    through_broker = await evaluate_rumoureval_broker(data_dir, key, timeout=240)
    assert through_broker["n"] == in_process["n"] == 5
    assert through_broker["alerts"]["posts"] == in_process["alerts"]["posts"]
    assert "1001" in through_broker["alerts"]["posts"], "the denying reply raised no alert"
    assert through_broker["deny"] == in_process["deny"]
