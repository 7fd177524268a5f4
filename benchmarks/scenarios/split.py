"""How the scenario stories were split into ``tuned/`` and ``heldout/`` (run once, before the system
ever ran on them; kept so the rule can be read and re-run on new drafts).

    python3 benchmarks/scenarios/split.py DRAFTS_DIR OUT_DIR [--seed 19]

Stories are grouped into units that must stay together: every story of one writer's folder tagged
``shared_entity`` is one unit (their entities meet in the replay), every other story its own unit.
Within each writer's folder the units are shuffled with the seed and taken into ``heldout/`` until
it holds a third of that folder's stories (rounded down), so each writer, and so each group of
domains, is in both splits.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("drafts", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--seed", type=int, default=19)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    for split in ("tuned", "heldout"):
        (args.out / split).mkdir(parents=True, exist_ok=True)
    for writer in sorted(p for p in args.drafts.iterdir() if p.is_dir()):
        files = sorted(writer.glob("*.json"))
        shared = [f for f in files if "shared_entity" in json.loads(f.read_text())["features"]]
        units = ([shared] if shared else []) + [[f] for f in files if f not in shared]
        rng.shuffle(units)
        want, held = len(files) // 3, 0
        for unit in units:
            split = "heldout" if held + len(unit) <= want else "tuned"
            held += len(unit) if split == "heldout" else 0
            for f in unit:
                shutil.copy(f, args.out / split / f.name)
                print(f"{split}\t{writer.name}\t{f.stem}")


if __name__ == "__main__":
    main()
