"""``claimwatch evaluate scenarios``: the story format's checks, the scorer's classes on alerts built
by hand (counted here independently), and one story replayed through the service's tracker."""

from __future__ import annotations

import copy
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
from typer.testing import CliRunner

from schemas import AlertClaim, AlertStatement, ClaimSource, DenialDetected, StatementExtracted
from schemas.statements import Attribution
from streams.evaluate.common import DataError
from streams.evaluate.scenario_format import Story, load_stories
from streams.evaluate.scenarios import StoryCounts, evaluate, score, split_dirs, summarise

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "scenarios"
AT = datetime(2026, 3, 3, 12, tzinfo=timezone.utc)


def story_dict() -> dict:
    return json.loads((FIXTURE / "harbour-crane-sale.json").read_text())


def body(story: Story, doc_id: str) -> str:
    return next(d for d in story.documents if d.document_id == doc_id).body  # type: ignore[union-attr]


# -- the format ---------------------------------------------------------------------------------------


def test_fixture_loads_with_documents_filled() -> None:
    [story] = load_stories([FIXTURE])
    assert story.story_id == "harbour-crane-sale"
    assert [d.kind for d in story.documents] == ["article", "comment", "article"]
    assert story.documents[0].event_id.startswith("article-") and story.documents[0].source == "scenario:harbour-crane-sale"


@pytest.mark.parametrize("mutate, message", [
    (lambda s: s["expected"][0].update(span="not in the text at all"), "span not found"),
    (lambda s: s["expected"][0].update(span="Norvik"), "more than once"),
    (lambda s: s["expected"][0].update(claim="nope"), "is not one of"),
    (lambda s: s["expected"][0].update(stance="support"), "expected"),
    (lambda s: s["documents"][1].update(article_id="missing"), "is not an article of the story"),
    (lambda s: s.update(extra_field=1), "extra"),
    (lambda s: s["documents"][0].pop("occurred_at"), "occurred_at"),
])
def test_bad_story_is_one_clear_error(tmp_path: Path, mutate, message: str) -> None:  # type: ignore[no-untyped-def]
    data = story_dict()
    mutate(data)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    with pytest.raises(DataError) as err:
        load_stories([path])
    assert str(path) in str(err.value) and message.lower() in str(err.value).lower()


def test_repeated_document_ids_across_stories_are_refused(tmp_path: Path) -> None:
    a = story_dict()
    b = copy.deepcopy(a)
    b["story_id"] = "other-story"
    (tmp_path / "a.json").write_text(json.dumps(a))
    (tmp_path / "b.json").write_text(json.dumps(b))
    with pytest.raises(DataError, match="document_id 'hcs-a1' is in stories"):
        load_stories([tmp_path])


def test_split_folders(tmp_path: Path) -> None:
    assert split_dirs(tmp_path) == {"all": tmp_path}
    (tmp_path / "tuned").mkdir()
    (tmp_path / "heldout").mkdir()
    assert split_dirs(tmp_path) == {"tuned": tmp_path / "tuned", "heldout": tmp_path / "heldout"}
    with pytest.raises(DataError, match="no such"):
        split_dirs(tmp_path / "missing")


# -- the scorer, on alerts built by hand --------------------------------------------------------------


def statement(story: Story, doc_id: str, fragment: str, n: int) -> StatementExtracted:
    """A statement whose span is the sentence of ``doc_id`` holding ``fragment``."""
    text = body(story, doc_id)
    at = text.index(fragment)
    start = max(text.rfind(". ", 0, at) + 2, text.rfind("\n", 0, at) + 1, 0)
    end = text.find(".", at) + 1
    return StatementExtracted(
        event_id=f"stmt-{n}", occurred_at=AT, source="test", document_id=doc_id, document_kind="article",
        article_id=doc_id, index=n, text=text[start:end], char_start=start, char_end=end,
        attribution=Attribution(speaker="X", speaker_kind="person"),
    )


def alert(n: int, denial: StatementExtracted, claim_sources: list[StatementExtracted], stance: str = "deny") -> DenialDetected:
    return DenialDetected(
        event_id=f"alert-{n}", occurred_at=AT, source="test", alert_id=f"alert-{n}",
        claim=AlertClaim(claim_id=f"claim-{n}", text=claim_sources[0].text, first_seen_at=AT,
                         sources=[ClaimSource(outlet="O", speaker="S", document_id=s.document_id, statement_id=s.event_id)
                                  for s in claim_sources]),
        denial=AlertStatement(statement_id=denial.event_id, text=denial.text, speaker="X", speaker_kind="person",
                              document_id=denial.document_id, document_kind="article", char_start=denial.char_start,
                              char_end=denial.char_end, occurred_at=AT),
        stance=stance, confidence=0.9, lag_seconds=0.0, explanation="", severity="high", match_score=0.6,  # type: ignore[arg-type]
    )


def test_alert_classes_recall_precision_and_false_alerts() -> None:
    data = story_dict()
    data["optional"] = [{"document_id": "hcs-a2", "span": "rejected a newspaper report", "claim": "sale"}]
    story = Story.model_validate(data)
    other = Story.model_validate({**story_dict(), "story_id": "other", "documents": [
        {**story_dict()["documents"][0], "document_id": "oth-a1", "body": "Hexa Lift opened a plant in Riga on Monday."}],
        "claims": [], "expected": [], "optional": []})
    claim = statement(story, "hcs-a1", "Norvik Ports is in advanced talks", 0)
    background = statement(story, "hcs-a1", "has not been profitable", 1)
    deny = statement(story, "hcs-a2", "We are not in discussions", 2)
    non_confirm = statement(story, "hcs-a2", "could not confirm", 3)
    rejected = statement(story, "hcs-a2", "rejected a newspaper report", 4)
    narrator = statement(story, "hcs-a2", "It has not said whether", 5)
    foreign = statement(other, "oth-a1", "Hexa Lift opened", 6)
    statements = {s.event_id: s for s in (claim, background, deny, non_confirm, rejected, narrator, foreign)}
    alerts = [
        alert(1, deny, [claim]),  # right
        alert(2, deny, [background]),  # the same denial on a background "claim": wrong claim
        alert(3, rejected, [claim]),  # optional: left out
        alert(4, narrator, [claim]),  # false
        alert(5, non_confirm, [foreign], "non_confirm"),  # wrong claim, and from another story
    ]
    counts, rows = score([story, other], alerts, statements, [(claim.event_id, ["c1"]), (background.event_id, ["c2"])])
    assert [r["class"] for r in rows] == ["right", "wrong_claim", "optional", "false", "wrong_claim"]
    assert [r["cross_story"] for r in rows] == [False, False, False, False, True]
    c = next(c for c in counts if c.story_id == story.story_id)
    assert (c.expected, c.found, c.alerts, c.right, c.wrong_claim, c.false, c.optional, c.cross_story) == (2, 1, 4, 1, 2, 1, 1, 1)
    assert c.by_stance == {"deny": [1, 1], "non_confirm": [1, 0]}
    assert (c.claims_created, c.gold_claims_recognised) == (2, 1)
    s = summarise(counts)
    assert s["recall"] == 0.5 and s["precision"] == 0.25
    assert s["false_per_100_docs"] == round(100 * 1 / (3 + 1), 4)


def test_bootstrap_intervals_cover_the_figure_and_vary_with_stories() -> None:
    counts = [StoryCounts(f"s{i}", "d", documents=5, expected=2, found=i % 3, alerts=2, right=i % 3, false=2 - i % 3)
              for i in range(12)]
    s = summarise(counts)
    lo, hi = s["recall_ci95"]
    assert lo <= s["recall"] <= hi and lo < hi
    assert summarise(counts) == s  # seeded
    one = summarise(counts[:1])
    assert one["recall_ci95"] == [one["recall"], one["recall"]]


# -- through the service's tracker ---------------------------------------------------------------------


def test_fixture_through_the_tracker() -> None:
    result = evaluate([FIXTURE])
    r = result["splits"]["all"]
    assert r["stories"] == 1 and r["documents"] == 3 and r["expected"] == 2
    assert r["found"] == sum(v["found"] for v in r["per_stance"].values())
    assert all(row["class"] in ("right", "wrong_claim", "optional", "false") for row in r["alert_rows"])
    assert r["right"] + r["wrong_claim"] + r["false"] == r["alerts"]
    # the company's own denial is found and linked to the report it answers
    assert r["per_stance"]["deny"] == {"expected": 1, "found": 1, "recall": 1.0}


def test_cli_json_and_errors(tmp_path: Path) -> None:
    from streams.cli import cli

    runner = CliRunner()
    res = runner.invoke(cli, ["evaluate", "scenarios", str(FIXTURE), "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout.strip().splitlines()[-1])
    assert set(data["splits"]) == {"all"}
    res = runner.invoke(cli, ["evaluate", "scenarios", str(FIXTURE), "--split", "heldout"])
    assert res.exit_code == 1 and "no 'heldout' split" in res.output
    (tmp_path / "empty").mkdir()
    res = runner.invoke(cli, ["evaluate", "scenarios", str(tmp_path / "empty")])
    assert res.exit_code == 1 and "no story files" in res.output
