"""Step 2 of ``cv_stack.py``: one cross-encoder per fold, trained on the other folds, scores its held-out fold.

    /tmp/xenc-venv/bin/python training/crossencoder/cv_folds.py --dir /tmp/xcv --model $M

Reads ``--dir/pairs.jsonl`` (written by ``cv_stack.py prepare``); writes ``xenc_oof_fp32.npy`` (torch)
and ``xenc_oof_int8.npy`` (the dynamic int8 ONNX model, as ``export_onnx.py`` makes it, run by
onnxruntime), and ``folds.json`` (times). The recipe is run 1's (README.md): 25 % of comments,
inverse class weights, 2 epochs, max_len 80, batch 16, lr 5e-5, seed 13; the pair is (source post,
post), without the parent, because the service does not keep reply texts.
"""
import argparse, json, os, sys, time
import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train_xenc as X

def int8_logits(model, tok, a, b, max_len, workdir, threads):
    _, q8 = X.export_int8(model, tok, workdir)
    sess = X.ort_session(q8, threads)
    enc = tok(a, b, truncation="longest_first", max_length=max_len)
    return np.asarray([X.onnx_logits(sess, enc, i) for i in range(len(a))])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    X.add_recipe_args(ap, epochs=2, max_len=80, comment_keep=0.25)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    rows = [json.loads(line) for line in open(os.path.join(args.dir, "pairs.jsonl"), encoding="utf-8")]
    a = [r["a"] for r in rows]; b = [r["b"] for r in rows]
    y = np.asarray([r["y"] for r in rows]); fold = np.asarray([r["fold"] for r in rows])
    oof = {"fp32": np.zeros((len(rows), 4), dtype=np.float32), "int8": np.zeros((len(rows), 4), dtype=np.float32)}
    log = []
    for k in sorted(set(fold.tolist())):
        done = os.path.join(args.dir, f"fold{k}.npz")
        te = np.flatnonzero(fold == k)
        if os.path.exists(done):
            z = np.load(done)
            oof["fp32"][te], oof["int8"][te] = z["fp32"], z["int8"]
            continue
        tr = np.flatnonzero(fold != k)
        import random
        random.seed(args.seed); np.random.seed(args.seed); torch.manual_seed(args.seed)
        t0 = time.time()
        model, tok, epochs = X.fine_tune([a[i] for i in tr], [b[i] for i in tr], y[tr], args)
        model.eval()
        enc = tok([a[i] for i in te], [b[i] for i in te], truncation="longest_first", max_length=args.max_len)
        with torch.no_grad():
            fp = np.concatenate([model(**X.collate(tok, enc, range(i, min(i + 64, len(te))))).logits.numpy()
                                 for i in range(0, len(te), 64)])
        q8 = int8_logits(model, tok, [a[i] for i in te], [b[i] for i in te], args.max_len, args.dir, args.threads)
        np.savez(done, fp32=fp, int8=q8)
        oof["fp32"][te], oof["int8"][te] = fp, q8
        log.append({"fold": k, "train": int(len(tr)), "held_out": int(len(te)), "epoch_seconds": [round(e, 1) for e in epochs],
                    "seconds": round(time.time() - t0, 1)})
        print(json.dumps(log[-1]), flush=True)
    for tag, z in oof.items():
        np.save(os.path.join(args.dir, f"xenc_oof_{tag}.npy"), z)
    json.dump({"args": vars(args), "folds": log}, open(os.path.join(args.dir, "folds.json"), "w"), indent=1)


if __name__ == "__main__":
    main()
