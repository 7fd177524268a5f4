"""Unlinked claim matching on RumourEval 2019 train (Twitter), diagnosed: how often a reply's own
thread's claim is its best candidate, and how often the reply @mentions the source's account and the
matcher recognises that address. Train only; dev is never read here.

    .venv/bin/python training/experiments/match_diagnosis.py --data ../shared/data     # ~2.5 min on 2 cores

The replay is the evaluator's unlinked mode (``streams/evaluate/rumoureval.py``): the threads of each
event in ``created_at`` order through one claim tracker. Before each labelled reply is processed,
its sentences are scored against every live claim.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from streams.evaluate import rumoureval as rv  # noqa: E402
from streams.nlp.matching import claim_handles  # noqa: E402
from streams.nlp.models import make_tracker  # noqa: E402
from streams.settings import Settings  # noqa: E402

RE_DIR = Path("rumoureval2019") / "rumoureval-2019-training-data"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--min-scores", type=float, nargs="*", default=[],
                    help="also report, for each of these candidate floors (MatchConfig.min_score), the replies "
                         "with a candidate and how often their best one is their own thread's claim")
    args = ap.parse_args(argv)
    root = args.data / RE_DIR
    key, threads = rv.load_labelled(root / "twitter-english", root / "train-key.json", platform="twitter")
    settings = Settings()
    groups: dict[str, list[rv.Thread]] = defaultdict(list)
    for thread in threads:
        groups[thread.group].append(thread)
    run = rv.RumourEvalRun()
    n = matched = first = mentions_source = addressed = 0
    best_scores: list[tuple[float, float, int]] = []  # (best own, best other, live claims at or above 0.1)
    for group in groups.values():
        tracker = make_tracker({}, {}, settings)
        source_of = {t.thread_id: t.source for t in group}
        thread_claims: dict[str, list[str]] = {}
        posts = sorted((p for t in group for p in [t.source, *t.replies]),
                       key=lambda p: (p.created_at, not p.is_source, p.post_id))
        for post in posts:
            if post.is_source:
                thread_claims[post.thread_id] = rv._source_claims(tracker, post, rv.source_statements(post), run)
                continue
            statements = rv.reply_statements(post, linked=False)
            if post.post_id in key and statements:
                own = {tracker.resolve(c) for c in thread_claims.get(post.thread_id, [])}
                own_claims = [tracker.claims[c] for c in own]
                best_own = best_other = -1.0
                live = list(tracker._live_claims(post.created_at))
                feats = [tracker.matcher.features(st) for st in statements]
                for st, f in zip(statements, feats, strict=True):
                    for claim in live:
                        score = tracker.matcher.score(st, claim, f).score
                        if tracker.resolve(claim.claim_id) in own:
                            best_own = max(best_own, score)
                        else:
                            best_other = max(best_other, score)
                n += 1
                best_scores.append((best_own, best_other, len(live)))
                first += best_own > best_other
                matched += best_own >= tracker.matcher.config.min_score and best_own >= best_other
                handle = f"@{source_of[post.thread_id].author}".lower()
                if any(handle in f.mentions for f in feats):
                    mentions_source += 1
                    addressed += any(f.mentions & claim_handles(c) for f in feats for c in own_claims)
            for st in statements:
                tracker.process(st)
    print(f"labelled replies: {n}")
    print(f"own thread's claim is the best candidate: {first / n:.3f}")
    print(f"... and at least min_score {tracker.matcher.config.min_score} (matched): {matched / n:.3f}")
    print(f"replies that @mention the source's account: {mentions_source / n:.3f}")
    print(f"... recognised as addressed to their own thread's claim: {addressed / max(1, mentions_source):.3f}")
    if args.min_scores:
        current = tracker.matcher.config.min_score
        print(f"candidate floor | replies with a candidate | best is own claim | of the replies whose best score "
              f"is in [floor, {current}): with a candidate, best is own claim")
        for floor in sorted(set(args.min_scores) | {current}, reverse=True):
            has = [(o, x) for o, x, _ in best_scores if max(o, x) >= floor]
            own_best = sum(1 for o, x in has if o >= x)
            gained = [(o, x) for o, x in has if max(o, x) < current]
            gained_own = sum(1 for o, x in gained if o >= x)
            print(f"{floor:.2f} | {len(has)} ({len(has) / n:.3f}) | {own_best / max(1, len(has)):.3f} | "
                  + (f"{len(gained)}: {gained_own / len(gained):.3f}" if gained else "-"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
