#!/usr/bin/env python3
"""Estimate what `pip install .` adds to the Docker image, from the packages installed here.

Walks the runtime requirements of the ``claimwatch`` distribution recursively (not its test or
train extras, unless named with --extras), sums the sizes of the files each distribution's RECORD
lists (byte-compiled files included, as pip writes them in the image too), and prints the largest
ones and the total. claimwatch itself, when installed in editable mode, is counted from its
package folders (``schemas/``, ``streams/``) without caches.

The python:3.11-slim base is not measured here (this needs a Docker engine); the image is this
total plus the base, which ``docker image inspect python:3.11-slim --format '{{.Size}}'`` gives.

    .venv/bin/python scripts/image_size.py [--extras rocksdb] [--top 15]
"""

from __future__ import annotations

import argparse
import json
import os
from importlib import metadata
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PROJECT = "claimwatch"
PROJECT_PACKAGES = ("schemas", "streams")
MIB = 1024 * 1024


def runtime_closure(root: str, extras: set[str]) -> dict[str, metadata.Distribution]:
    """Every distribution ``root`` needs at run time, with ``extras`` of the root; by canonical name."""
    found: dict[str, metadata.Distribution] = {}
    pending: list[tuple[str, set[str]]] = [(root, extras)]
    seen: set[tuple[str, frozenset[str]]] = set()
    while pending:
        name, wanted = pending.pop()
        key = (canonicalize_name(name), frozenset(wanted))
        if key in seen:
            continue
        seen.add(key)
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            raise SystemExit(f"image_size: {name} is required but not installed here") from None
        found[canonicalize_name(dist.metadata["Name"])] = dist
        for line in dist.requires or []:
            req = Requirement(line)
            if req.marker is not None and not any(
                req.marker.evaluate({**default_environment(), "extra": extra}) for extra in (wanted or {""})
            ):
                continue
            pending.append((req.name, set(req.extras)))
    return found


def record_size(dist: metadata.Distribution) -> int:
    total = 0
    for file in dist.files or []:
        path = Path(dist.locate_file(file))
        if path.is_file():
            total += os.path.getsize(path)
    return total


def is_editable(dist: metadata.Distribution) -> bool:
    direct_url = json.loads(dist.read_text("direct_url.json") or "{}")
    return bool(direct_url.get("dir_info", {}).get("editable"))


def project_size() -> int:
    """claimwatch's own package folders, as a regular install copies them (no caches)."""
    total = 0
    for package in PROJECT_PACKAGES:
        for path in (ROOT / package).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                total += os.path.getsize(path)
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extras", default="", help="Comma-separated extras of claimwatch to include (e.g. rocksdb).")
    parser.add_argument("--top", type=int, default=15, help="How many of the largest packages to list.")
    args = parser.parse_args()
    extras = {e.strip() for e in args.extras.split(",") if e.strip()}

    provided = set(metadata.distribution(PROJECT).metadata.get_all("Provides-Extra") or [])
    if extras - provided:
        raise SystemExit(f"image_size: the installed {PROJECT} has no extra {', '.join(sorted(extras - provided))} "
                         f"(it has: {', '.join(sorted(provided))}); re-run scripts/setup after a pyproject.toml change")
    closure = runtime_closure(PROJECT, extras)
    sizes: dict[str, int] = {}
    for name, dist in closure.items():
        label = f"{dist.metadata['Name']} {dist.version}"
        if name == canonicalize_name(PROJECT) and is_editable(dist):
            sizes[f"{label} (editable here: schemas/ + streams/ without caches)"] = project_size()
        else:
            sizes[label] = record_size(dist)

    total = sum(sizes.values())
    ranked = sorted(sizes.items(), key=lambda item: item[1], reverse=True)
    total_label = "total (installed files, RECORD sizes)"
    width = max(len(label) for label, _ in [*ranked[: args.top], (total_label, 0)])
    print(f"claimwatch runtime packages{' with extras ' + ','.join(sorted(extras)) if extras else ''}: "
          f"{len(sizes)} distributions")
    print(f"{'package'.ljust(width)}  {'MiB':>8}  {'share':>6}")
    for label, size in ranked[: args.top]:
        print(f"{label.ljust(width)}  {size / MIB:8.1f}  {size / total:6.1%}")
    rest = ranked[args.top:]
    if rest:
        print(f"{f'{len(rest)} others'.ljust(width)}  {sum(s for _, s in rest) / MIB:8.1f}")
    print(f"{total_label.ljust(width)}  {total / MIB:8.1f}")
    print("base image python:3.11-slim: not measured here (no Docker engine); image size = this total + the base, "
          "see `docker image inspect python:3.11-slim --format '{{.Size}}'`")


if __name__ == "__main__":
    main()
