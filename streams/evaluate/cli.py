"""``claimwatch evaluate``: rumoureval / emergent / fnc1 (registered in ``streams/cli.py``).

``--json`` prints exactly one JSON object on stdout (progress and errors go to stderr); otherwise a
rich table. A missing folder, key or CSV exits 1 with a one-line reason.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

evaluate_cli = typer.Typer(add_completion=False, no_args_is_help=True,
                           help="Measure stance and claim matching on public data sets, in-process.")
out = Console()
err = Console(stderr=True)


def _fail(message: str) -> None:
    err.print(f"[red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(1)


def _run(label: str, fn: Callable[..., dict], quiet: bool, **kwargs: object) -> dict:
    import logging

    from .rumoureval import DataError

    logging.getLogger("streams").setLevel(logging.WARNING)
    with Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err, disable=quiet or not err.is_terminal, transient=True) as bar:
        task = bar.add_task(label, total=None)
        try:
            return fn(on_progress=lambda done, total: bar.update(task, completed=done, total=total), **kwargs)
        except DataError as exc:
            _fail(str(exc))
            raise  # unreachable


def _pct(x: object) -> str:
    return f"{float(x):.3f}"  # type: ignore[arg-type]


def _ci(interval: list[float]) -> str:
    return f"[{interval[0]:.3f}, {interval[1]:.3f}]"


def _print(result: dict, as_json: bool, title: str, extra: list[tuple[str, str]]) -> None:
    if as_json:
        data = {k: v for k, v in result.items() if k != "items"}
        sys.stdout.write(json.dumps(data, sort_keys=False) + "\n")
        sys.stdout.flush()
        return
    table = Table(title=title)
    for col in ("class", "precision", "recall", "F1", "gold", "predicted"):
        table.add_column(col, justify="left" if col == "class" else "right")
    for label, s in result["per_class"].items():
        table.add_row(label, _pct(s["precision"]), _pct(s["recall"]), _pct(s["f1"]), str(s["support"]), str(s["predicted"]))
    out.print(table)
    summary = Table(show_header=False, box=None)
    summary.add_column(style="bold")
    summary.add_column()
    neg = result["negative_class"]
    d = result["deny"]
    ci = result["intervals"]
    rows = [
        ("macro-F1", f"{_pct(result['macro_f1'])} {_ci(ci['macro_f1'])}"),
        ("accuracy", _pct(result["accuracy"])),
        (f"{neg} P / R / F1", f"{_pct(d['precision'])} / {_pct(d['recall'])} / {_pct(d['f1'])} {_ci(ci['negative_f1'])}"),
        ("95 % intervals", f"cluster bootstrap over {ci['clusters']} {ci['unit']}s, {ci['resamples']} resamples"),
        *extra,
        ("n (scored)", str(result["n"])),
        ("raw stances", ", ".join(f"{k} {v}" for k, v in result["raw_stances"].items())),
        ("seconds", str(result["seconds"])),
    ]
    for k, v in rows:
        summary.add_row(k, v)
    out.print(summary)


@evaluate_cli.command()
def rumoureval(
    data_dir: Annotated[Path, typer.Argument(help="RumourEval 2019 folder: <event>/<thread>/ or <thread>/ folders.")],
    key: Annotated[Path, typer.Option("--key", help="train-key.json / dev-key.json (subtaskaenglish).")],
    platform: Annotated[str, typer.Option(help="twitter, reddit or all.")] = "all",
    mode: Annotated[str, typer.Option(help="linked (reply tree known) or unlinked (find the claim).")] = "linked",
    non_confirm_as: Annotated[str, typer.Option("--non-confirm-as", help="Label for non_confirm decisions.")] = "deny",
    max_threads: Annotated[Optional[int], typer.Option("--max-threads", help="Only the first N threads.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    direct_claims: Annotated[bool, typer.Option("--direct-claims/--no-direct-claims", help="Treat every source "
                             "post as a claim even when the recognizer rejects it (the stream does not).")] = True,
    broker: Annotated[bool, typer.Option("--broker", help="Replay through the embedded broker and a worker; "
                                         "score the alerts topic (deny only, unlinked).")] = False,
) -> None:
    """RumourEval 2019 subtask A (support / deny / query / comment), replayed thread by thread."""
    from . import rumoureval as mod

    if broker:
        _broker_rumoureval(data_dir, key, platform, max_threads, as_json)
        return
    result = _run("rumoureval", mod.evaluate, as_json, data_dir=data_dir, key_path=key, platform=platform, mode=mode,
                  non_confirm_as=non_confirm_as, max_threads=max_threads, direct_claims=direct_claims)
    extra = [("threads", str(result["threads"])),
             ("posts (sources + replies)", f"{result['n_sources']} + {result['n_replies']}"),
             ("direct claims", str(result["direct_claims"]))]
    if result.get("replies"):
        r = result["replies"]
        extra.append(("replies only: macro-F1 / deny F1", f"{_pct(r['macro_f1'])} / {_pct(r['deny']['f1'])}"))
    if mode == "unlinked":
        cm = result["claim_matching"]
        extra.append(("claim-matching accuracy",
                      f"{_pct(cm['accuracy'])} ({cm['correct']}/{cm['replies']}; no candidate {cm['no_candidate']})"))
    _print(result, as_json, f"RumourEval 2019 {platform} {mode}", extra)


def _broker_rumoureval(data_dir: Path, key: Path, platform: str, max_threads: int | None, as_json: bool) -> None:
    import asyncio
    import logging

    from .broker import evaluate_rumoureval_broker
    from .rumoureval import DataError

    logging.getLogger("streams").setLevel(logging.WARNING)
    try:
        result = asyncio.run(evaluate_rumoureval_broker(data_dir, key, platform=platform, max_threads=max_threads))
    except DataError as exc:
        _fail(str(exc))
        return
    if as_json:
        sys.stdout.write(json.dumps(result) + "\n")
        return
    d = result["deny"]
    out.print(f"RumourEval 2019 {platform} via the broker: {result['n']} posts, {result['threads']} threads, "
              f"{result['alerts']['total']} alerts; deny P/R/F1 {_pct(d['precision'])} / {_pct(d['recall'])} / "
              f"{_pct(d['f1'])} ({result['seconds']} s)", highlight=False)


@evaluate_cli.command()
def emergent(
    csv_path: Annotated[Path, typer.Argument(help="url-versions-2015-06-14-clean-train.csv (or the same columns).")],
    limit: Annotated[Optional[int], typer.Option(help="Only the first N rows.")] = None,
    non_confirm_as: Annotated[str, typer.Option("--non-confirm-as", help="Label for non_confirm decisions.")] = "against",
    matcher_top1: Annotated[bool, typer.Option("--matcher-top1/--no-matcher-top1",
                                               help="Also rank all claims with the tracker's ClaimMatcher.")] = True,
    cv: Annotated[Optional[int], typer.Option("--cv", help="K folds grouped by claim: each scored with a news "
                                              "model trained on the others (needs the train extra).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Emergent: claim headline vs article headline (for / against / observing) and top-1 claim matching."""
    from . import emergent as mod

    result = _run("emergent", mod.evaluate, as_json, csv_path=csv_path, limit=limit, non_confirm_as=non_confirm_as,
                  matcher_top1=matcher_top1, cv=cv)
    m = result["matching"]
    extra = [("claims / direct claims", f"{result['claims']} / {result['direct_claims']}"),
             ("top-1 matching (embedding)", _pct(m["embedding_top1"]))]
    if "matcher_top1" in m:
        extra.append(("top-1 matching (ClaimMatcher)", _pct(m["matcher_top1"])))
    extra.append(_alerts_line(result["alerts"], "against"))
    _print(result, as_json, "Emergent", extra)


def _alerts_line(a: dict, negative: str) -> tuple[str, str]:
    return ("alerts (the tracker's rules)", f"{a['alerted']} documents, {a[f'of_which_gold_{negative}']} of {a['gold']} gold "
            f"{negative}: P/R/F1 {_pct(a['precision'])} / {_pct(a['recall'])} / {_pct(a['f1'])} {_ci(a['ci95'])}")


@evaluate_cli.command()
def fnc1(
    stances_csv: Annotated[Path, typer.Argument(help="train_stances.csv")],
    bodies_csv: Annotated[Path, typer.Argument(help="train_bodies.csv")],
    bodies: Annotated[Optional[int], typer.Option("--bodies", help="Keep the pairs of K randomly drawn bodies.")] = None,
    sample: Annotated[Optional[int], typer.Option("--sample", help="Deterministic random sample of N pairs.")] = None,
    limit: Annotated[Optional[int], typer.Option(help="Then only the first N pairs.")] = None,
    seed: Annotated[int, typer.Option(help="Seed for --bodies / --sample.")] = 13,
    related_threshold: Annotated[Optional[float], typer.Option("--related-threshold",
                                                               help="Match score below which a pair is unrelated "
                                                                    "(default: the non_confirm_match_threshold setting).")] = None,
    non_confirm_as: Annotated[str, typer.Option("--non-confirm-as", help="Label for non_confirm decisions.")] = "disagree",
    cv: Annotated[Optional[int], typer.Option("--cv", help="K folds grouped by headline: each scored with a news "
                                              "model trained on the other folds' pairs (needs the train extra).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """FNC-1: headline vs body (agree / disagree / discuss / unrelated), FNC score and disagree-F1."""
    from . import fnc1 as mod

    result = _run("fnc1", mod.evaluate, as_json, stances_csv=stances_csv, bodies_csv=bodies_csv, sample=sample,
                  limit=limit, seed=seed, max_bodies=bodies, related_threshold=related_threshold,
                  non_confirm_as=non_confirm_as, cv=cv)
    rel = result["related_vs_unrelated"]
    extra = [("FNC score", f"{result['fnc_score']:.2f} / {result['fnc_max_score']:.2f} = {_pct(result['fnc_relative'])}"),
             ("related vs unrelated accuracy", _pct(rel["accuracy"])),
             ("headlines / bodies / direct claims", f"{result['headlines']} / {result['bodies']} / {result['direct_claims']}"),
             ("related threshold", str(result["related_threshold"])),
             _alerts_line(result["alerts"], "disagree")]
    _print(result, as_json, "FNC-1", extra)


@evaluate_cli.command()
def scenarios(
    paths: Annotated[list[Path], typer.Argument(help="Story files or folders (docs/scenarios.md); a folder with "
                                                "tuned/ and heldout/ is scored split by split.")],
    split: Annotated[Optional[str], typer.Option("--split", help="Only this split (tuned, heldout or all).")] = None,
    show_alerts: Annotated[bool, typer.Option("--alerts", help="List every alert with its class.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Hand-written news stories with gold alerts: recall, precision with the right claim, false alerts."""
    from . import scenarios as mod

    result = _run("scenarios", mod.evaluate, as_json, paths=paths, split=split)
    if as_json:
        sys.stdout.write(json.dumps(result) + "\n")
        return
    table = Table(title="Scenario stories (95 % intervals: bootstrap over stories)")
    for col in ("split", "stories", "docs", "alert recall", "precision (right claim)", "false / 100 docs",
                "alerts", "wrong claim", "cross-story"):
        table.add_column(col, justify="left" if col == "split" else "right")
    for name, r in result["splits"].items():
        table.add_row(name, str(r["stories"]), str(r["documents"]),
                      f"{_pct(r['recall'])} {_ci(r['recall_ci95'])} ({r['found']}/{r['expected']})",
                      f"{_pct(r['precision'])} {_ci(r['precision_ci95'])} ({r['right']}/{r['alerts']})",
                      f"{r['false_per_100_docs']:.1f} {_ci(r['false_per_100_docs_ci95'])}",
                      str(r["alerts"]), str(r["wrong_claim"]), str(r["cross_story"]))
    out.print(table)
    for name, r in result["splits"].items():
        stance = ", ".join(f"{k} {v['found']}/{v['expected']}" for k, v in r["per_stance"].items())
        kinds = ", ".join(f"{k} {v['found']}/{v['expected']}" for k, v in r["per_document_kind"].items())
        claims = r["claims"]
        out.print(f"{name}: recall by stance {stance}; by document {kinds}; claims created {claims['created']} "
                  f"for {claims['gold']} gold ({claims['gold_recognised']} recognised); {r['seconds']} s", highlight=False)
        if show_alerts:
            for a in r["alert_rows"]:
                label = escape(f"[{a['class']}{' cross-story' if a['cross_story'] else ''}]")
                out.print(f"  {label} {a['story']} {a['stance']}: "
                          f"{escape(str(a['denial'])[:120])}  ->  claim {escape(str(a['claim'])[:100])}", highlight=False)
