"""Where FNC-1 disagree decisions and alerts come from, on bodies the reported figure does not use.

The README's FNC-1 figure is ``evaluate fnc1 ... --bodies 300 --cv 5`` (bodies drawn with seed 13).
This script draws ``--bodies`` other Body IDs (``--seed``, never one of those 300), runs the same
evaluator with ``--cv 5`` on their pairs, and prints:

* the decision and alert figures (the ``alerts`` block: what the tracker's rules would send);
* for each gold label, the raw stance of the deciding sentence;
* for the pairs decided negative: whether the denial came from the cue lexicon or the news model,
  whether its speaker is the narrator, and whether the headline is itself a denial;
* how many negative sentences the related pairs of each gold label have;
* with ``--show-alerts N``: N alerts drawn at random, to read.

Decisions about the path are taken on these bodies; the 300 evaluation bodies are scored afterwards.

    .venv/bin/python training/experiments/fnc1_diagnosis.py --data ../shared/data --bodies 200   # ~2.5 min

The stances of the drawn bodies are written to a temporary CSV (outside the repository) and deleted.
"""

from __future__ import annotations

import argparse
import logging
import random
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from streams.evaluate import fnc1  # noqa: E402
from training.data import add_development_args, fnc1_development_csv  # noqa: E402
from streams.nlp import stance_model  # noqa: E402
from streams.nlp.stance import CueStanceClassifier  # noqa: E402
from streams.nlp.stance_model import cue_statement  # noqa: E402
from streams.nlp.tracker import NEGATIVE, ClaimTracker  # noqa: E402
from streams.settings import Settings  # noqa: E402

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_development_args(ap)
    ap.add_argument("--model-denials", action="store_true", help="as CLAIMWATCH_MODEL_DENIALS=true (without it: cue-only alerts, whatever the default)")
    ap.add_argument("--show-alerts", type=int, default=0, metavar="N",
                    help="print N of the distinct (sentence, headline) alerts, drawn at random (--draw-seed), to read")
    ap.add_argument("--draw-seed", type=int, default=7, help="seed of the --show-alerts draw")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    settings = Settings(model_denials=args.model_denials)
    with fnc1_development_csv(args.data, (args.bodies, args.seed)) as (sub, bodies_csv, subset):
        keep = {p.body_id for p in subset}
        headline_of = {str(i): p.headline for i, p in enumerate(subset)}  # item ids are positions in the subset file
        result, chosen, alerts = recorded_run(sub, bodies_csv, args.cv, args.seed, settings)
    items = result["items"]
    related = [it for it in items if it.pred != "unrelated"]
    d = result["disagree"]
    print(f"{len(keep)} development bodies, {result['n']} pairs; disagree P/R/F1 "
          f"{d['precision']:.3f}/{d['recall']:.3f}/{d['f1']:.3f}; macro-F1 {result['macro_f1']:.3f}")
    a = result["alerts"]
    print(f"alerts (the tracker's rules): {a['alerted']} pairs, {a['of_which_gold_disagree']} of {a['gold']} gold disagree; "
          f"P/R/F1 {a['precision']:.3f}/{a['recall']:.3f}/{a['f1']:.3f}")
    print("gold -> raw stance of the deciding sentence:")
    by_gold: dict[str, Counter[str]] = {}
    for it in items:
        by_gold.setdefault(it.gold, Counter())[it.raw] += 1
    for gold in fnc1.LABELS:
        print(f"  {gold:10s} {dict(sorted(by_gold.get(gold, Counter()).items()))}")
    cue = CueStanceClassifier()
    negative_headline = {h: cue.classify(cue_statement(h, kind="article")).stance in NEGATIVE
                         for h in {p.headline for p in subset}}
    print(f"headlines that are themselves denials (cue lexicon, no claim): "
          f"{sum(negative_headline.values())} of {len(negative_headline)}")
    print("pairs whose deciding sentence is negative, by gold label, origin, speaker and headline:")
    origin: Counter[tuple[str, str, str, bool]] = Counter()
    negatives: dict[str, list[int]] = {}
    for it, (dec, speaker_kind, n_neg) in zip(related, chosen, strict=True):
        negatives.setdefault(it.gold, []).append(n_neg)
        if dec is None or dec.stance not in NEGATIVE:
            continue
        cues = " ".join(dec.cues)
        how = ("non_confirm cue" if dec.stance == "non_confirm" else
               "news model only" if cues.startswith("news model") else
               "cue + news model" if "news model" in cues else "cue only")
        who = "narrator" if speaker_kind == "narrator" else "attributed"
        origin[(it.gold, how, who, negative_headline[headline_of[it.item_id]])] += 1
    print(f"  {'gold':10s} {'origin':18s} {'speaker':10s} {'denial headline':15s} pairs")
    for (gold, how, who, neg), n in sorted(origin.items()):
        print(f"  {gold:10s} {how:18s} {who:10s} {str(neg):15s} {n}")
    print("negative sentences per related pair (mean, share with >= 1, >= 2), by gold:")
    for gold, ns in sorted(negatives.items()):
        print(f"  {gold:10s} {sum(ns) / len(ns):.2f}  {sum(n >= 1 for n in ns) / len(ns):.2f}  "
              f"{sum(n >= 2 for n in ns) / len(ns):.2f}  (n={len(ns)})")
    if args.show_alerts:
        distinct = list(dict.fromkeys(alerts))
        print(f"{len(distinct)} distinct (sentence, headline) alerts; {min(args.show_alerts, len(distinct))} drawn:")
        for i, (text, who, headline, score, cue) in enumerate(random.Random(args.draw_seed).sample(distinct, min(args.show_alerts, len(distinct)))):
            print(f"#{i} [{who}] match {score:.2f} {cue}\n   sentence: {text[:260]}\n   headline: {headline[:160]}")
    return 0


def recorded_run(stances: Path, bodies_csv: Path, cv: int, seed: int, settings: Settings):  # type: ignore[no-untyped-def]
    """``fnc1.evaluate`` with, for every related pair, (the deciding decision, its sentence's speaker
    kind, how many of the pair's sentence decisions were negative), and every alert it would raise."""
    speaker: dict[int, str] = {}
    chosen: list[tuple[object, str, int]] = []
    alerts: list[tuple[str, str, str, float, str]] = []  # (sentence, speaker, headline, match, first cue)
    classify, aggregate = stance_model.TrainedStanceClassifier.classify, fnc1.aggregate
    would_alert = ClaimTracker.would_alert

    def recording_would_alert(self, statement, claim, match, decision, base):  # type: ignore[no-untyped-def]
        yes = would_alert(self, statement, claim, match, decision, base)
        if yes:
            att = statement.attribution
            alerts.append((statement.text, f"{att.speaker_kind}: {att.speaker}", claim.text, round(match.score, 2),
                           decision.cues[0] if decision.cues else ""))
        return yes

    def recording_classify(self, statement, claim=None, *, relatedness=None):  # type: ignore[no-untyped-def]
        decision = classify(self, statement, claim, relatedness=relatedness)
        speaker[id(decision)] = statement.attribution.speaker_kind
        return decision

    def recording_aggregate(decisions):  # type: ignore[no-untyped-def]
        out = aggregate(decisions)
        chosen.append((out, speaker.get(id(out), "") if out is not None else "",
                       sum(x.stance in NEGATIVE for x in decisions)))
        return out

    stance_model.TrainedStanceClassifier.classify = recording_classify  # type: ignore[method-assign]
    ClaimTracker.would_alert = recording_would_alert  # type: ignore[method-assign]
    fnc1.aggregate = recording_aggregate
    try:
        result = fnc1.evaluate(stances, bodies_csv, cv=cv or None, seed=seed, settings=settings)
    finally:
        stance_model.TrainedStanceClassifier.classify = classify  # type: ignore[method-assign]
        ClaimTracker.would_alert = would_alert  # type: ignore[method-assign]
        fnc1.aggregate = aggregate
    return result, chosen, alerts


if __name__ == "__main__":
    raise SystemExit(main())
