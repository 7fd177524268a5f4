"""Pick a deny-logit offset on held-out TRAIN threads (never dev), then apply it to saved dev logits.

Usage: python tune_offset.py --holdout /tmp/xenc-out/holdout --dev /tmp/xenc-out/run1
"""
import argparse, json, os, sys
import numpy as np
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from train_xenc import prf

ap = argparse.ArgumentParser()
ap.add_argument("--holdout", required=True)
ap.add_argument("--dev", required=True)
a = ap.parse_args()
hl, hy = np.load(os.path.join(a.holdout, "dev_logits.npy")), np.load(os.path.join(a.holdout, "eval_labels.npy"))
grid = np.round(np.arange(-3.0, 3.01, 0.25), 2)

def score(l, y, off):
    l = l.copy(); l[:, 1] += off
    return prf(y, l.argmax(1))

best = max(grid, key=lambda o: (score(hl, hy, o)["macro_F1"], -abs(o)))
print("held-out train: offset 0:", json.dumps(score(hl, hy, 0.0)["deny"]), "macro", score(hl, hy, 0.0)["macro_F1"])
print(f"chosen offset {best}:", json.dumps(score(hl, hy, best)["deny"]), "macro", score(hl, hy, best)["macro_F1"])
dl, dy = np.load(os.path.join(a.dev, "dev_logits.npy")), np.load(os.path.join(a.dev, "eval_labels.npy"))
if True:
    r = score(dl, dy, best)
    print("dev twitter with offset:", json.dumps(r, indent=1))
    json.dump(dict(offset=float(best), dev_twitter=r), open(os.path.join(a.dev, "offset_results.json"), "w"), indent=1)
