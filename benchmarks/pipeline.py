"""In-process cost of each pipeline stage on an archive (default: seeds/), with a same-run baseline.

    .venv/bin/python benchmarks/pipeline.py [ARCHIVE...] [--repeat 3] [--out benchmarks/results/pipeline.json]

Baselines measured in the same run (the machines are noisy, so compare ratios, not absolutes):
- enrichment vs a bare spaCy parse of the same texts (what attribution/timex/entities add);
- the claim tracker vs the same tracker without embeddings (what MiniLM costs), and the tracker with the
  service's trained reply and news stance models vs the cue-only one (what the models cost), and the
  service's models vs the same without the reply cross-encoder (what it costs per comment), and vs the
  same without the claim stance model (what it costs per statement);
- what the worker runs since statements carry their vectors (``streams/nlp/vectors.py``): enrichment
  plus the vectors (one batch per document) vs enrichment alone, and the service's tracker on
  statements with vectors vs the same tracker embedding the texts itself. The tracker runs on one
  worker at a time, so its cost per statement bounds the throughput of any number of workers;
- the worker's tracker state (``streams/state.py``: one table, a batch per statement, on a
  dict standing in for the Faust table) vs plain dicts, on statements with vectors.
Prints one JSON object and writes it to --out.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import statistics
import time
from pathlib import Path

from schemas import ArticlePublished, ClaimRecord, SeenStatement
from streams.state import StateTable
from streams.ingest.archive import load_archive
from streams.nlp.claim_stance import ClaimStanceModel
from streams.nlp.embeddings import Embedder
from streams.nlp.enrich import enrich_article, enrich_comment
from streams.nlp.pipeline import get_nlp
from streams.nlp.models import make_tracker
from streams.nlp.tracker import ClaimTracker
from streams.nlp.vectors import with_embeddings
from streams.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def best_of(repeat: int, fn):  # type: ignore[no-untyped-def]
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("archives", nargs="*", type=Path, default=[ROOT / "seeds"])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "pipeline.json")
    args = parser.parse_args()

    t0 = time.perf_counter()
    nlp = get_nlp()
    spacy_load = time.perf_counter() - t0
    embedder = Embedder()
    t0 = time.perf_counter()
    embedder.encode(["warm up"])
    embed_load = time.perf_counter() - t0

    documents = load_archive(args.archives)
    texts = [d.body if isinstance(d, ArticlePublished) else d.text for d in documents]

    def enrich_all():  # type: ignore[no-untyped-def]
        return [s for d in documents for s in (enrich_article(d) if isinstance(d, ArticlePublished) else enrich_comment(d))]

    bare_best, bare_median, _ = best_of(args.repeat, lambda: list(nlp.pipe(texts)))
    enrich_best, enrich_median, statements = best_of(args.repeat, enrich_all)

    def fresh(tracker: ClaimTracker) -> None:
        """Empty the caches a repeat would otherwise hit: sentence vectors and claim-stance pairs."""
        tracker.matcher.embedder._cache.clear()
        model = getattr(tracker.stance, "model", None)
        if isinstance(model, ClaimStanceModel):
            model._cache.clear()

    def track(with_embedder: bool, service_models: bool = False, **settings):  # type: ignore[no-untyped-def]
        def run():  # type: ignore[no-untyped-def]
            embedder._cache.clear()
            if service_models:
                # What the worker runs: the trained reply and news stance models (and the reply
                # cross-encoder, unless ``settings`` turn it off) next to the cues.
                tracker = make_tracker({}, {}, Settings(**settings))
                fresh(tracker)
            else:
                tracker = ClaimTracker({}, {}, embedder=embedder if with_embedder else None)
            return [a for s in statements for a in tracker.process(s).alerts]

        return run

    def enrich_and_embed_all():  # type: ignore[no-untyped-def]
        embedder._cache.clear()
        out = []
        for d in documents:
            out += with_embeddings(enrich_article(d) if isinstance(d, ArticlePublished) else enrich_comment(d), embedder)
        return out

    vectors_best, vectors_median, carried = best_of(args.repeat, enrich_and_embed_all)

    def track_carried():  # type: ignore[no-untyped-def]
        tracker = make_tracker({}, {}, Settings())
        fresh(tracker)
        return [a for s in carried for a in tracker.process(s).alerts]

    carried_best, carried_median, carried_alerts = best_of(args.repeat, track_carried)

    def track_carried_on_state_table():  # type: ignore[no-untyped-def]
        state = StateTable({})
        claims = state.section("claim:", ClaimRecord, cached=True)
        seen = state.section("seen:", SeenStatement)
        tracker = make_tracker(claims, seen, Settings())
        fresh(tracker)
        alerts = []
        for s in carried:
            state.begin(s.event_id)
            alerts += tracker.process(s).alerts
            state.commit()
        return alerts

    table_best, _, table_alerts = best_of(args.repeat, track_carried_on_state_table)

    track_best, track_median, alerts = best_of(args.repeat, track(True))
    plain_best, plain_median, _ = best_of(args.repeat, track(False))
    service_best, service_median, service_alerts = best_of(args.repeat, track(True, service_models=True))
    no_xenc_best, _, no_xenc_alerts = best_of(args.repeat, track(True, service_models=True, reply_crossencoder=False))
    no_pair_best, _, no_pair_alerts = best_of(args.repeat, track(True, service_models=True, claim_stance=False))
    comments = sum(1 for s in statements if s.document_kind == "comment")
    n = len(statements)
    report = {
        "machine": {"python": platform.python_version(), "cpu_count": __import__("os").cpu_count()},
        "archive": [str(a) for a in args.archives],
        "documents": len(documents),
        "statements": n,
        "alerts": len(alerts),
        "model_load_s": {"spacy": round(spacy_load, 3), "minilm_onnx": round(embed_load, 3)},
        "enrich": {"best_s": round(enrich_best, 3), "median_s": round(enrich_median, 3),
                   "statements_per_s": round(n / enrich_best, 1)},
        "baseline_bare_spacy_parse": {"best_s": round(bare_best, 3), "median_s": round(bare_median, 3)},
        "enrich_over_bare_spacy": round(enrich_best / bare_best, 2),
        "tracker": {"best_s": round(track_best, 3), "ms_per_statement": round(1000 * track_best / n, 2)},
        "baseline_tracker_without_embeddings": {"best_s": round(plain_best, 3),
                                                "ms_per_statement": round(1000 * plain_best / n, 2)},
        "tracker_with_service_stance_models": {"best_s": round(service_best, 3),
                                               "ms_per_statement": round(1000 * service_best / n, 2),
                                               "alerts": len(service_alerts),
                                               "over_cue_only_tracker": round(service_best / track_best, 2)},
        "baseline_service_models_without_reply_crossencoder": {
            "best_s": round(no_xenc_best, 3), "ms_per_statement": round(1000 * no_xenc_best / n, 2),
            "alerts": len(no_xenc_alerts),
            "crossencoder_ms_per_comment": round(1000 * (service_best - no_xenc_best) / max(1, comments), 2),
            "comments": comments,
            "service_over_this": round(service_best / no_xenc_best, 2)},
        "baseline_service_models_without_claim_stance_model": {
            "best_s": round(no_pair_best, 3), "ms_per_statement": round(1000 * no_pair_best / n, 2),
            "alerts": len(no_pair_alerts),
            "claim_stance_ms_per_statement": round(1000 * (service_best - no_pair_best) / n, 2),
            "service_over_this": round(service_best / no_pair_best, 2)},
        "enrich_with_statement_vectors": {"best_s": round(vectors_best, 3),
                                          "ms_per_statement": round(1000 * vectors_best / n, 2),
                                          "over_enrich": round(vectors_best / enrich_best, 2)},
        "tracker_on_statements_with_vectors": {"best_s": round(carried_best, 3),
                                               "ms_per_statement": round(1000 * carried_best / n, 2),
                                               "alerts": len(carried_alerts),
                                               "same_alerts": [a.alert_id for a in carried_alerts]
                                               == [a.alert_id for a in service_alerts],
                                               "over_tracker_with_service_stance_models":
                                                   round(carried_best / service_best, 2),
                                               "statements_per_s": round(n / carried_best, 1)},
        "tracker_on_state_table": {"best_s": round(table_best, 3),
                                   "ms_per_statement": round(1000 * table_best / n, 2),
                                   "same_alerts": [a.alert_id for a in table_alerts]
                                   == [a.alert_id for a in carried_alerts],
                                   "over_tracker_on_dicts": round(table_best / carried_best, 2)},
        "max_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
