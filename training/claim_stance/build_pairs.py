"""Assemble the claim–statement stance model's training pairs into one JSONL file outside the
repository (the public data sets' texts never enter it).

    .venv/bin/python training/claim_stance/build_pairs.py --data ../shared/data --out /tmp/cs/pairs.jsonl

Each line: ``{"claim", "statement", "label", "group", "source"}``, label one of ``LABELS``. ``group``
is the cross-validation unit (a story: one claim and everything said about it). Sources:

* ``own``: the hand-written pair corpus in ``training/pairs/*.jsonl`` (this project's, all four labels;
  the only source of ``non_confirm``). Its groups are the folds of the story-grouped CV.
* ``contrastive`` (not a default source): ``training/pairs/contrastive/*.jsonl``, 1,600 pairs in 160
  stories written to one pattern (``contrastive/BRIEF.md``): per claim three counter-facts that repeat
  its words without a negation, a short pronoun quote, a sentence that confirms one fact and denies the
  claim's, two paraphrases that support it, the same entities on another matter (one negated) and a
  refusal to confirm. Model v5 trained with them was not adopted (``training/experiments/README.md``).
* ``nli``: ``../shared/data/nli`` (its README's mapping). The claim is the hypothesis, the later
  statement the premise/evidence: contradiction/REFUTES -> deny, entailment/SUPPORTS -> support,
  neutral -> unrelated (on topic, no stance). Breaking NLI is capped (87 % contradiction);
  FEVER-Symmetric is left out (a challenge test set, overlapping FEVER dev); RTE is left out
  (``not_entailment`` mixes contradiction and neutral).
* ``fnc1``: FNC-1 train, the bodies the bundled news model trains on (never the README's 300
  evaluation bodies nor the 200 development bodies, ``training.data.fnc1_body_splits``): the headline
  against a random sentence of an ``unrelated`` body -> unrelated; against the first sentence of an
  ``agree`` body -> support. Disagreeing bodies are not used (FNC-1 labels the body, not a sentence).
* ``rumoureval``: RumourEval 2019 train (never dev): source post vs reply, deny -> deny,
  support -> support, query / comment -> unrelated (comments subsampled).

Emergent is kept out entirely, so ``claimwatch evaluate emergent`` scores the model on stories it
never saw.

Two options shape the hand-written pairs as the service meets them (model v3):

* ``--service-claims``: each claim becomes the text the tracker keeps for it (``ClaimRecognizer.claim_text``
  after the service's enrichment: an attributed claim loses its "..., two people familiar with the
  matter said"), since that is the text the service pairs with later statements;
* ``--affirm``: counterfactual pairs. A ``deny`` whose statement has a negation is added again with its
  negations taken out (``claim_stance.affirmed``) as ``support``; an ``unrelated`` one as ``unrelated``
  (a negation of another matter says another matter once affirmed). The model then learns that a
  denial is the claim negated, not any negation near the story's words, and the service's check of a
  model denial (``ClaimStanceClassifier``, ``affirm_support_min``) asks it exactly that.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

LABELS = ("deny", "non_confirm", "support", "unrelated")
OWN_DIR = ROOT / "training" / "pairs"
#: 1,600 contrastive pairs (``--sources ... contrastive``): counter-facts that repeat the claim's words,
#: paraphrases that support it, the same entities on another matter. The model v5 trained with them
#: was not adopted (training/experiments/README.md), so the default sources leave them out.
CONTRASTIVE_DIR = OWN_DIR / "contrastive"
_SENT = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'])")


def own_pairs(service: bool = False, affirm: bool = False, bare: bool = False, folder: Path = OWN_DIR
              ) -> list[dict[str, str]]:
    out = _own_pairs(folder)
    if service:
        out = service_claims(out)
    extra = (affirmed_pairs(out) if affirm else []) + (bare_views(out) if bare else [])
    return out + extra


def _own_pairs(folder: Path) -> list[dict[str, str]]:
    out = []
    for path in sorted(folder.glob("*.jsonl")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            row = json.loads(line)
            if row["label"] not in LABELS:
                raise ValueError(f"{path}:{n}: label {row['label']!r}")
            out.append({"claim": row["claim"], "statement": row["statement"], "label": row["label"],
                        "group": f"own:{row['group']}", "source": "own", "phenomenon": row.get("phenomenon", "")})
    return out


def _first_statements(texts: set[str]) -> dict[str, Any]:
    """Each text enriched as the service enriches a one-sentence article (``enrich_article``), mapped to
    its first statement (``None`` when it has none)."""
    from datetime import datetime, timezone

    from schemas import ArticlePublished
    from streams.nlp.enrich import enrich_article

    at = datetime(2026, 1, 1, tzinfo=timezone.utc)
    out: dict[str, Any] = {}
    for text in sorted(texts):
        statements = enrich_article(ArticlePublished(event_id="t", occurred_at=at, source="training", document_id="t",
                                                     body=text, outlet="Wire"))
        out[text] = statements[0] if statements else None
    return out


def service_claims(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """Each claim replaced by the text the tracker keeps for it: the claim sentence enriched as an
    article's and its first statement's ``ClaimRecognizer.claim_text``."""
    from streams.nlp.claims import ClaimRecognizer

    recognizer = ClaimRecognizer()
    first = _first_statements({r["claim"] for r in rows})
    kept = {claim: recognizer.claim_text(st) if st is not None else claim for claim, st in first.items()}
    return [{**r, "claim": kept[r["claim"]]} for r in rows]


def _contents(texts: set[str]) -> dict[str, str]:
    """Each text mapped to its first statement's attributed content (the text itself for the narrator's
    sentences, or a content under three words): "..., a Norvik spokeswoman said" -> the quote."""
    out: dict[str, str] = {}
    for text, st in _first_statements(texts).items():
        att = st.attribution if st is not None else None
        content = att.content.strip() if att is not None and att.speaker_kind != "narrator" else ""
        out[text] = content if len(content.split()) >= 3 else text
    return out


def bare_views(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """Each hand-written pair again with claim and statement stripped of their attribution frames (the
    quote, not "..., a spokeswoman said"), same label, where either changes: the model should read what
    is said, not how it is attributed. (Without these the model read the bare "The film was pulled." as
    unrelated to "the film had been pulled after a dispute ...", p 0.98.)"""
    contents = _contents({r["claim"] for r in rows} | {r["statement"] for r in rows})
    out = []
    for r in rows:
        claim, statement = contents[r["claim"]], contents[r["statement"]]
        if (claim, statement) != (r["claim"], r["statement"]):
            out.append({**r, "claim": claim, "statement": statement, "phenomenon": f"bare:{r.get('phenomenon', '')}"})
    return out


def affirmed_pairs(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """Counterfactual pairs: negated ``deny`` statements affirmed -> ``support``; negated ``unrelated``
    ones affirmed -> ``unrelated``."""
    from streams.nlp.claim_stance import affirmed

    out = []
    for r in rows:
        if r["label"] not in ("deny", "unrelated"):
            continue
        flipped = affirmed(r["statement"])
        if flipped is None or flipped == r["statement"]:
            continue
        out.append({**r, "statement": flipped, "label": "support" if r["label"] == "deny" else "unrelated",
                    "source": "own", "phenomenon": f"affirmed:{r.get('phenomenon', '')}"})
    return out


def _detok(text: str) -> str:
    """SNLI/FEVER are pre-tokenised ("Soul Food is a 1997 film ."): close the spaces a reader would not see."""
    text = re.sub(r"\s+([.,;:!?%)])", r"\1", text.replace("-LRB-", "(").replace("-RRB-", ")"))
    return re.sub(r"\(\s+", "(", text).replace("`` ", '"').replace(" ''", '"').strip()


def nli_pairs(nli: Path, rng: random.Random, snli_cap: int = 2000, breaking_cap: int = 1000,
              fever_cap: int = 2000) -> list[dict[str, str]]:
    """Capped: SNLI's contradictions are captions that cannot describe the same photo, a loose
    stand-in for a denial, so the NLI sets must not outweigh the news pairs."""
    mapping = {"contradiction": "deny", "entailment": "support", "neutral": "unrelated",
               "REFUTES": "deny", "SUPPORTS": "support", "not_entailment": "deny"}
    out: list[dict[str, str]] = []

    def add(premise: str, hypothesis: str, label: str, group: str, source: str) -> None:
        if label in mapping and premise.strip() and hypothesis.strip():
            out.append({"claim": _detok(hypothesis), "statement": _detok(premise), "label": mapping[label],
                        "group": group, "source": source})

    s1 = (nli / "snli-dev" / "s1.dev").read_text(encoding="utf-8").splitlines()
    s2 = (nli / "snli-dev" / "s2.dev").read_text(encoding="utf-8").splitlines()
    lab = (nli / "snli-dev" / "labels.dev").read_text(encoding="utf-8").splitlines()
    snli = list(zip(s1, s2, lab))
    rng.shuffle(snli)
    for a, b, y in snli[:snli_cap]:
        add(a, b, y.strip(), f"snli:{a}", "nli")
    breaking = [json.loads(x) for x in (nli / "breaking-nli" / "dataset.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
    rng.shuffle(breaking)
    kept = Counter()
    for r in breaking:
        y = r["gold_label"]
        if y == "contradiction" and kept[y] >= breaking_cap:
            continue
        kept[y] += 1
        add(r["sentence1"], r["sentence2"], y, f"snli:{r['sentence1']}", "nli")
    f0 = (nli / "fever-nli-dev" / "dev.raw.input0").read_text(encoding="utf-8").splitlines()
    f1 = (nli / "fever-nli-dev" / "dev.raw.input1").read_text(encoding="utf-8").splitlines()
    fl = (nli / "fever-nli-dev" / "dev.label").read_text(encoding="utf-8").splitlines()
    fever = list(zip(f0, f1, fl))
    rng.shuffle(fever)
    for a, b, y in fever[:fever_cap]:
        add(a, b, y.strip(), f"fever:{b}", "nli")
    for name in ("SNLI.txt", "MNLI.txt"):
        raw = (nli / "negation-nli" / name).read_bytes().decode("cp1252" if name == "MNLI.txt" else "utf-8", "replace")
        for line in raw.replace("\r\n", "\n").splitlines()[1:]:
            parts = line.split("\t")
            if len(parts) >= 4:
                add(parts[1], parts[2], parts[3].strip(), f"negnli:{parts[1][:60]}", "nli")
    return out


def fnc1_pairs(data: Path, rng: random.Random, unrelated_cap: int = 2000, agree_cap: int = 1000) -> list[dict[str, str]]:
    from streams.evaluate import fnc1
    from training.data import FNC1_BODIES, FNC1_STANCES, fnc1_body_splits

    pairs, bodies = fnc1.load(data / FNC1_STANCES, data / FNC1_BODIES)
    train_bodies = fnc1_body_splits(pairs)[2]
    pairs = [p for p in pairs if p.body_id in train_bodies]
    rng.shuffle(pairs)
    out: list[dict[str, str]] = []
    n = Counter()
    for p in pairs:
        sentences = [s.strip() for s in _SENT.split(bodies[p.body_id].replace("\n", " ")) if len(s.split()) >= 5]
        if not sentences:
            continue
        if p.stance == "unrelated" and n["unrelated"] < unrelated_cap:
            statement, label = rng.choice(sentences), "unrelated"
        elif p.stance == "agree" and n["support"] < agree_cap:
            statement, label = sentences[0], "support"
        else:
            continue
        n[label] += 1
        out.append({"claim": p.headline, "statement": statement[:600], "label": label,
                    "group": f"fnc1:{p.headline}", "source": "fnc1"})
    return out


def rumoureval_pairs(data: Path, rng: random.Random, comment_keep: float = 0.3) -> list[dict[str, str]]:
    from training.data import load_rumoureval

    train, _dev = load_rumoureval(data)
    mapping = {"deny": "deny", "support": "support", "query": "unrelated", "comment": "unrelated"}
    out = []
    for p in train:
        if p.is_source or (p.label == "comment" and rng.random() > comment_keep):
            continue
        out.append({"claim": p.source_text, "statement": p.text, "label": mapping[p.label],
                    "group": f"rumoureval:{p.group}", "source": "rumoureval"})
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--sources", nargs="+", default=["own", "nli", "fnc1", "rumoureval"],
                    choices=["own", "contrastive", "nli", "fnc1", "rumoureval"])
    ap.add_argument("--nli-caps", type=int, nargs=3, default=[2000, 1000, 2000], metavar=("SNLI", "BREAKING", "FEVER"),
                    help="how many SNLI, Breaking NLI (contradictions) and FEVER pairs to take")
    ap.add_argument("--service-claims", action="store_true", help="hand-written claims as the tracker keeps them")
    ap.add_argument("--affirm", action="store_true", help="add the counterfactual (affirmed) hand-written pairs")
    ap.add_argument("--bare", action="store_true", help="add each hand-written pair without its attribution frames")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    rows: list[dict[str, str]] = []
    for source in args.sources:
        got = {"own": lambda: own_pairs(args.service_claims, args.affirm, args.bare),
               "contrastive": lambda: own_pairs(args.service_claims, args.affirm, args.bare, folder=CONTRASTIVE_DIR),
               "nli": lambda: nli_pairs(args.data / "nli", rng, *args.nli_caps),
               "fnc1": lambda: fnc1_pairs(args.data, rng), "rumoureval": lambda: rumoureval_pairs(args.data, rng)}[source]()
        print(f"{source}: {len(got)} pairs {dict(sorted(Counter(r['label'] for r in got).items()))}", file=sys.stderr)
        rows.extend(got)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{len(rows)} pairs -> {args.out} {dict(sorted(Counter(r['label'] for r in rows).items()))}", file=sys.stderr)


if __name__ == "__main__":
    main()
