"""The claim stance model's thresholds, chosen on the TUNED scenario split only.

    .venv/bin/python training/experiments/scenario_tuning.py [--out /tmp/scenario_grid.json]

The rule, fixed before the grid ran: every setting of the grid is replayed on
``benchmarks/scenarios/tuned`` (one enrichment, one tracker per setting); the objective is the alert
F1 (harmonic mean of alert recall and precision with the right claim) minus 0.01 x false alerts per
100 documents; the best objective wins, ties going to the setting nearest the defaults. The held-out
split is not read here.

Grid (2 cores make a replay of the 30 stories cost about two minutes, so it is small): how many lead
sentences of an article may found a claim (``claim_lead_sentences``), the model's p(deny) floor
(``claim_stance_deny_min``; ``claim_stance_non_confirm_min`` stays 0.5) and the match-score floor of
deny alerts (``deny_match_threshold``; ``non_confirm_match_threshold`` 0.05 below it, as in the defaults).
That grid ran with the first (single-stage) model. The two-stage model's settings were then compared
one by one, under the same objective:

    .venv/bin/python training/experiments/scenario_tuning.py --settings '{}' \
        '{"claim_stance_deny_min": 0.5, "claim_stance_non_confirm_min": 0.5, "claim_stance_veto_max_match": 1.01}' \
        '{"claim_stance_deny_min": 0.6, "claim_stance_veto_max_match": 1.01}' '{"claim_stance_deny_min": 0.6}' \
        '{"claim_stance_unrelated_veto": 1.01, "claim_stance_deny_min": 0.5, "claim_stance_non_confirm_min": 0.5}'

(``{}``: the defaults; the table and the choice are in ``training/experiments/README.md``.)
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from streams.evaluate.scenario_format import load_stories  # noqa: E402
from streams.evaluate.scenarios import enrich_stories, evaluate_set  # noqa: E402
from streams.nlp.models import make_claim_stance_model  # noqa: E402
from streams.settings import Settings  # noqa: E402

DEFAULT = (3, 0.5, 0.40)
GRID = {"lead": (2, 3, 4), "deny_min": (0.5, 0.7), "match": (0.30, 0.40)}


def objective(r: dict) -> float:
    rec, prec = r["recall"], r["precision"]
    f1 = 2 * rec * prec / (rec + prec) if rec + prec else 0.0
    return round(f1 - 0.01 * r["false_per_100_docs"], 4)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--stories", type=Path, default=ROOT / "benchmarks" / "scenarios" / "tuned")
    ap.add_argument("--out", type=Path, default=Path("/tmp/scenario_grid.json"))
    ap.add_argument("--settings", nargs="+", metavar="JSON", help="instead of the grid: score these Settings "
                    "overrides, each a JSON object")
    ap.add_argument("--rows", type=Path, help="with --settings: write every setting's alert rows (their class "
                    "and why) to this JSON file")
    args = ap.parse_args()
    assert args.stories.name != "heldout", "thresholds are never chosen on the held-out split"
    stories = load_stories([args.stories])
    statements = enrich_stories(stories)
    model = make_claim_stance_model(Settings())
    assert model is not None, "no claim stance model"
    model._cache_size = 1_000_000  # every pair of the grid is scored once
    rows = []
    if args.settings:
        dumped = []
        for spec in args.settings:
            r = evaluate_set(stories, Settings(**json.loads(spec)), statements=statements)
            dumped.append({"settings": json.loads(spec), "alert_rows": r["alert_rows"]})
            if args.rows:
                args.rows.write_text(json.dumps(dumped, indent=1), encoding="utf-8")
            print(json.dumps({"settings": json.loads(spec), "objective": objective(r),
                              **{k: r[k] for k in ("recall", "precision", "false_per_100_docs", "found", "alerts",
                                                   "right", "false", "wrong_claim", "cross_story")}}), flush=True)
        return
    for lead, deny_min, match in itertools.product(*GRID.values()):
        t0 = time.perf_counter()
        settings = Settings(claim_lead_sentences=lead, claim_stance_deny_min=deny_min,
                            deny_match_threshold=match, non_confirm_match_threshold=round(match - 0.05, 2))
        r = evaluate_set(stories, settings, statements=statements)
        row = {"lead": lead, "deny_min": deny_min, "match": match, "objective": objective(r),
               **{k: r[k] for k in ("recall", "precision", "false_per_100_docs", "found", "alerts", "right",
                                    "false", "wrong_claim", "cross_story")},
               "comment": r["per_document_kind"].get("comment"), "non_confirm": r["per_stance"].get("non_confirm"),
               "seconds": round(time.perf_counter() - t0, 1)}
        rows.append(row)
        print(json.dumps(row), flush=True)
    dist = lambda row: sum(abs(a - b) for a, b in zip((row["lead"], row["deny_min"], row["match"]), DEFAULT))  # noqa: E731
    best = max(rows, key=lambda row: (row["objective"], -dist(row)))
    args.out.write_text(json.dumps({"best": best, "rows": rows}, indent=1))
    print("best", json.dumps(best))


if __name__ == "__main__":
    main()
