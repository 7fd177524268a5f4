"""How an article's sentence decisions make one stance toward a headline, tried on development bodies.

``evaluate fnc1`` and ``evaluate emergent`` label a whole document, and the stream decides per
sentence, so the evaluators need a rule that turns a document's sentence decisions into one label
(``common.aggregate``). The rule until now is ``confident``: the most confident decision that is not
``comment``. ``fnc1_diagnosis.py`` found that half of the gold ``disagree`` bodies have a negative
sentence and are still decided ``agree``, because a sentence that restates the claim is more
confident.

This script runs ``evaluate fnc1 --cv 5`` once on the development bodies (seed 29, disjoint from the
README's 300), records every related pair's sentence decisions, and scores these rules on them. The
rules and the choice were fixed before the first run:

* ``confident``: the current rule;
* ``any_negative``: a document with a negative sentence (deny or non_confirm) is negative (its most
  confident one); otherwise ``confident``;
* ``model_negative``: the same, counting only negative sentences that carry the news model's verdict
  (``StanceDecision.models``);
* ``two_negatives``: negative when at least two sentences are; otherwise ``confident``;
* ``vote``: the stance with the largest sum of confidence over the sentences that are not ``comment``.

Choice: the rule with the highest disagree F1 is adopted if it beats ``confident`` by at least 0.01
and its macro-F1 is at most 0.02 lower; otherwise nothing changes. The 300 evaluation bodies and
Emergent are scored after that.

    .venv/bin/python training/experiments/fnc1_aggregation.py --data ../shared/data   # ~2.5 min
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from streams.evaluate import fnc1, metrics  # noqa: E402
from streams.evaluate.common import PRECEDENCE  # noqa: E402
from streams.nlp.stance import StanceDecision  # noqa: E402
from streams.nlp.tracker import NEGATIVE  # noqa: E402
from streams.settings import Settings  # noqa: E402
from training.data import add_development_args, fnc1_development_csv  # noqa: E402

Rule = Callable[[Sequence[StanceDecision]], "StanceDecision | None"]


def _most_confident(decisions: Sequence[StanceDecision]) -> StanceDecision | None:
    return max(decisions, key=lambda d: (d.confidence, PRECEDENCE.get(d.stance, 0))) if decisions else None


def confident(decisions: Sequence[StanceDecision]) -> StanceDecision | None:
    return _most_confident([d for d in decisions if d.stance != "comment"])


def any_negative(decisions: Sequence[StanceDecision]) -> StanceDecision | None:
    return _most_confident([d for d in decisions if d.stance in NEGATIVE]) or confident(decisions)


def model_negative(decisions: Sequence[StanceDecision]) -> StanceDecision | None:
    return _most_confident([d for d in decisions if d.stance in NEGATIVE and "news" in d.models]) or confident(decisions)


def two_negatives(decisions: Sequence[StanceDecision]) -> StanceDecision | None:
    negative = [d for d in decisions if d.stance in NEGATIVE]
    return _most_confident(negative) if len(negative) >= 2 else confident(decisions)


def vote(decisions: Sequence[StanceDecision]) -> StanceDecision | None:
    totals: dict[str, float] = {}
    for d in decisions:
        if d.stance != "comment":
            totals[d.stance] = totals.get(d.stance, 0.0) + d.confidence
    if not totals:
        return None
    stance = max(totals, key=lambda s: (totals[s], PRECEDENCE.get(s, 0)))
    return _most_confident([d for d in decisions if d.stance == stance])


RULES: dict[str, Rule] = {"confident": confident, "any_negative": any_negative, "model_negative": model_negative,
                          "two_negatives": two_negatives, "vote": vote}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_development_args(ap)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    recorded: list[list[StanceDecision]] = []
    original = fnc1.aggregate

    def recording(decisions: Sequence[StanceDecision]) -> StanceDecision | None:
        recorded.append(list(decisions))
        return original(decisions)

    fnc1.aggregate = recording
    try:
        with fnc1_development_csv(args.data, (args.bodies, args.seed)) as (sub, bodies_csv, subset):
            result = fnc1.evaluate(sub, bodies_csv, cv=args.cv or None, seed=args.seed, settings=Settings())
    finally:
        fnc1.aggregate = original
    items = result["items"]
    related = [it for it in items if it.raw != "unrelated"]
    assert len(related) == len(recorded), (len(related), len(recorded))
    print(f"{len({p.body_id for p in subset})} development bodies, {len(items)} pairs ({len(related)} decided related), "
          f"cv {args.cv or 'off (service model)'}")
    print(f"{'rule':16s} {'disagree P':>10s} {'R':>6s} {'F1':>6s} {'macro-F1':>9s} {'FNC rel':>8s}   "
          f"disagree F1 - confident's, 95 % interval (bootstrap over bodies)")
    mapping = dict(fnc1.MAPPING, non_confirm="disagree")
    gold = [it.gold for it in items]
    clusters = [it.cluster for it in items]
    col = fnc1.LABELS.index("disagree")
    baseline: tuple[float, object] | None = None
    for name, rule in RULES.items():
        preds = iter(recorded)
        pred = []
        for it in items:
            if it.raw == "unrelated":
                pred.append("unrelated")
            else:
                agg = rule(next(preds))
                pred.append(mapping[agg.stance if agg else "comment"])
        rep = metrics.report(gold, pred, fnc1.LABELS)
        d = rep.per_class["disagree"]
        score, best = metrics.fnc_score(gold, pred)
        samples = metrics.bootstrap_f1(gold, pred, clusters, fnc1.LABELS)[:, col]  # paired: same resamples
        if baseline is None:  # the first rule, confident
            baseline, diff = (d.f1, samples), ""
        else:
            low, high = metrics.percentile_interval(samples - baseline[1])
            diff = f"{d.f1 - baseline[0]:+.3f} [{low:+.3f}, {high:+.3f}]"
        print(f"{name:16s} {d.precision:10.3f} {d.recall:6.3f} {d.f1:6.3f} {rep.macro_f1:9.3f} {score / best:8.3f}   {diff}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
