"""Why each expected alert of the TUNED scenario stories is missed: stance, linkage or speaker.

    .venv/bin/python training/experiments/scenario_diagnosis.py [--settings JSON] [--out /tmp/diag.json]

Replays ``benchmarks/scenarios/tuned`` through one tracker as ``claimwatch evaluate scenarios`` does,
keeping every stance decision the tracker made. For each expected (statement, claim) of the gold that
did not alert with the right claim, the statement(s) overlapping its span are put in one class:

* ``no_statement``: no statement overlaps the span (sentence splitting);
* ``claim_missing``: the gold claim founded no tracker claim (or it is not live);
* ``narrator``: the statement is the outlet's own (its speaker cannot deny);
* ``not_candidate``: the matcher did not return the gold claim for it (score under its floor);
* ``below_threshold``: a candidate, but under the deny / non-confirmation match floor;
* ``stance``: a candidate above the floor, read as support / comment / unrelated;
* ``wrong_claim``: it alerted another claim, not the gold one (best-match margin);
* ``other``: none of these.

It prints the counts and, per class, the sentences with the model's probabilities. The held-out
split is never read here.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from streams.evaluate.scenario_format import doc_text, load_stories  # noqa: E402
from streams.evaluate.scenarios import _overlaps, enrich_stories, gold_of  # noqa: E402
from streams.nlp.claim_stance import ClaimStanceClassifier  # noqa: E402
from streams.nlp.models import make_tracker  # noqa: E402
from streams.settings import Settings  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--stories", type=Path, default=ROOT / "benchmarks" / "scenarios" / "tuned")
    ap.add_argument("--settings", default="{}", help="Settings overrides, a JSON object")
    ap.add_argument("--out", type=Path, default=Path("/tmp/scenario_diagnosis.json"))
    args = ap.parse_args()
    assert args.stories.name != "heldout", "the held-out split is never diagnosed"
    stories = load_stories([args.stories])
    settings = Settings(**json.loads(args.settings))
    statements = enrich_stories(stories)
    tracker = make_tracker({}, {}, settings)
    decisions: dict[str, dict[str, object]] = defaultdict(dict)  # statement id -> claim id -> StanceResult
    alerts_of: dict[str, list[str]] = defaultdict(list)
    for st in statements:
        out = tracker.process(st)
        for r in out.stances:
            decisions[r.statement_id][r.claim_id] = r
        for a in out.alerts:
            alerts_of[a.denial.statement_id].append(a.claim.claim_id)
    by_id = {s.event_id: s for s in statements}

    def span(st):  # type: ignore[no-untyped-def]
        return (st.document_id, st.char_start, st.char_end)

    claim_spans: dict[str, list] = defaultdict(list)
    for c in tracker.claims.values():
        for s in c.sources:
            st = by_id.get(s.statement_id or "")
            if st is not None:
                claim_spans[tracker.resolve(c.claim_id)].append(span(st))
    model = tracker.stance.model if isinstance(tracker.stance, ClaimStanceClassifier) else None
    rows = []
    for story in stories:
        gold = gold_of(story)
        texts = {d.document_id: doc_text(d) for d in story.documents}
        for gspan, gclaim, stance, kind in gold.expected:
            gclaims = {cid for cid, sps in claim_spans.items()
                       if any(_overlaps(a, b) for a in sps for b in gold.claim_spans[gclaim])}
            sts = [s for s in statements if _overlaps(span(s), gspan)]
            row = {"story": story.story_id, "stance": stance, "kind": kind, "gold_claim": gclaim,
                   "span": texts[gspan[0]][gspan[1]:gspan[2]], "statements": []}
            cls = None
            if not sts:
                cls = "no_statement"
            elif any(set(alerts_of.get(s.event_id, [])) & gclaims for s in sts):
                cls = "found"
            elif not gclaims:
                cls = "claim_missing"
            for s in sts:
                info = {"text": s.text, "speaker": s.attribution.speaker, "speaker_kind": s.attribution.speaker_kind,
                        "alerted": [tracker.claims[c].text[:90] for c in alerts_of.get(s.event_id, [])]}
                best = None
                for cid in gclaims:
                    r = decisions[s.event_id].get(cid)
                    claim = tracker.claims[cid]
                    if r is not None:
                        info["decision"] = {"stance": r.decision.stance, "confidence": r.decision.confidence,
                                            "match": round(r.match.score, 3), "explanation": r.decision.explanation[:300]}
                        best = r
                    else:
                        info["match_now"] = round(tracker.matcher.score(s, claim).score, 3)
                    if model is not None and s.document_kind == "article":
                        info["p"] = {k: round(v, 2) for k, v in model.proba(claim.text, s.text).items()}
                    info["claim"] = claim.text[:120]
                row["statements"].append(info)
                if cls is None:
                    if s.attribution.speaker_kind == "narrator" and (best is None or best.decision.stance not in ("deny", "non_confirm")):
                        cls = "narrator"
                    elif best is None:
                        cls = "not_candidate"
                    elif best.decision.stance not in ("deny", "non_confirm"):
                        cls = "stance"
                    elif alerts_of.get(s.event_id):
                        cls = "wrong_claim"
                    else:
                        thr = settings.deny_match_threshold if best.decision.stance == "deny" else settings.non_confirm_match_threshold
                        cls = "below_threshold" if best.match.score < thr else "other"
            row["class"] = cls or "other"
            rows.append(row)
    counts = Counter((r["class"], r["stance"]) for r in rows)
    print(json.dumps({f"{k[0]}/{k[1]}": v for k, v in sorted(counts.items())}, indent=1))
    args.out.write_text(json.dumps(rows, indent=1), encoding="utf-8")
    print(f"rows in {args.out}")


if __name__ == "__main__":
    main()
