"""A user's own labelled pairs, in the Emergent CSV columns (the README's "How good is it" says this
works): the evaluator reads any CSV with those columns and scores it. Texts written for this test."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

ROWS = [
    # claimId, claimHeadline, articleId, articleHeadline, articleHeadlineStance
    ("c1", "The city council approved a new tram line to the airport", "a1",
     "Council approves airport tram line after long debate", "for"),
    ("c1", "The city council approved a new tram line to the airport", "a2",
     "Mayor says reports of an approved airport tram line are false", "against"),
    ("c1", "The city council approved a new tram line to the airport", "a3",
     "Residents ask what the airport tram line will cost", "observing"),
    ("c2", "The national museum will close for two years of renovation", "a4",
     "Museum director denies that the national museum will close", "against"),
    ("c2", "The national museum will close for two years of renovation", "a5",
     "National museum to close for renovation, ministry confirms", "for"),
]


def test_own_pairs_in_the_emergent_columns(tmp_path: Path) -> None:
    from streams.evaluate import emergent

    path = tmp_path / "mine.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["claimId", "claimHeadline", "articleId", "articleHeadline", "articleHeadlineStance"])
        w.writerows(ROWS)
    result = emergent.evaluate(path)
    assert result["n"] == len(ROWS) and result["claims"] == 2
    assert result["per_class"]["against"]["support"] == 2
    assert result["intervals"]["clusters"] == 2 and result["intervals"]["unit"] == "claim"
    assert {i.item_id for i in result["items"]} == {r[2] for r in ROWS}
    # The two denials (one in the outlet's report of a mayor, one by a named director) are found and alerted.
    against = {i.item_id for i in result["items"] if i.pred == "against"}
    assert against == {"a2", "a4"}
    assert result["alerts"]["alerted"] == 2 and result["alerts"]["of_which_gold_against"] == 2


def test_a_wrong_label_is_a_clear_error(tmp_path: Path) -> None:
    from streams.evaluate import emergent
    from streams.evaluate.common import DataError

    path = tmp_path / "bad.csv"
    path.write_text("claimId,claimHeadline,articleId,articleHeadline,articleHeadlineStance\n"
                    "c1,A claim,a1,A headline,denies\n", encoding="utf-8")
    with pytest.raises(DataError, match="unknown stances"):
        emergent.evaluate(path)
