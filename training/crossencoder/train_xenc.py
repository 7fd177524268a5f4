"""Fine-tune a MiniLM-L6 cross-encoder for RumourEval 2019 subtask A (support/deny/query/comment).

Input per post: [CLS] source text [SEP] post text (" || " parent text)? [SEP]  (parent only for nested replies).
Trains on train-key.json (Twitter + Reddit), evaluates once on dev-key.json Twitter posts.
No post text is written anywhere; only metrics and the model go to --out.
"""
import argparse, glob, json, os, random, time
import numpy as np
import torch
from transformers import AutoTokenizer, AutoModelForSequenceClassification

LABELS = ["support", "deny", "query", "comment"]
NAMES = ["input_ids", "attention_mask", "token_type_ids"]  # the ONNX model's inputs


def load_posts(data):
    """Return {post_id: dict(text, parent, source)} for Twitter and Reddit."""
    posts = {}
    for thread in glob.glob(os.path.join(data, "twitter-english", "*", "*")):
        src = glob.glob(os.path.join(thread, "source-tweet", "*.json"))
        if not src:
            continue
        s = json.load(open(src[0]))
        sid = s["id_str"]
        posts[sid] = dict(text=s["text"], parent=None, source=sid, platform="twitter")
        for f in glob.glob(os.path.join(thread, "replies", "*.json")):
            r = json.load(open(f))
            posts[r["id_str"]] = dict(text=r["text"], parent=r.get("in_reply_to_status_id_str"),
                                      source=sid, platform="twitter")
    for thread in glob.glob(os.path.join(data, "reddit-*-data", "*")):
        src = glob.glob(os.path.join(thread, "source-tweet", "*.json"))
        if not src:
            continue
        s = json.load(open(src[0]))
        sd = s["data"]["children"][0]["data"] if "children" in s.get("data", {}) else s["data"]
        sid = sd["id"]
        posts[sid] = dict(text=(sd.get("title", "") + " " + sd.get("selftext", "")).strip(), parent=None,
                          source=sid, platform="reddit")
        for f in glob.glob(os.path.join(thread, "replies", "*.json")):
            r = json.load(open(f))
            rd = r["data"]
            pid = rd.get("parent_id", "") or ""
            pid = pid.split("_", 1)[1] if "_" in pid else None
            posts[rd["id"]] = dict(text=rd.get("body", "") or "", parent=pid, source=sid, platform="reddit")
    return posts


def make_pair(posts, pid):
    p = posts[pid]
    src = posts[p["source"]]["text"]
    if pid == p["source"]:
        return src, p["text"]
    par = p["parent"]
    if par and par != p["source"] and par in posts:
        # post text first so that right-side truncation cuts the parent, not the post itself
        return src, p["text"] + " || " + posts[par]["text"]
    return src, p["text"]


def build(posts, key, platform=None):
    ids, a, b, y = [], [], [], []
    miss = 0
    for pid, lab in key.items():
        if pid not in posts:
            miss += 1
            continue
        if platform and posts[pid]["platform"] != platform:
            continue
        s, t = make_pair(posts, pid)
        ids.append(pid); a.append(s); b.append(t); y.append(LABELS.index(lab))
    return ids, a, b, np.array(y), miss


def prf(y, p):
    out = {}
    for i, l in enumerate(LABELS):
        tp = int(((p == i) & (y == i)).sum()); fp = int(((p == i) & (y != i)).sum()); fn = int(((p != i) & (y == i)).sum())
        P = tp / (tp + fp) if tp + fp else 0.0; R = tp / (tp + fn) if tp + fn else 0.0
        F = 2 * P * R / (P + R) if P + R else 0.0
        out[l] = dict(P=round(P, 4), R=round(R, 4), F1=round(F, 4), n=int((y == i).sum()))
    out["macro_F1"] = round(float(np.mean([out[l]["F1"] for l in LABELS])), 4)
    out["accuracy"] = round(float((y == p).mean()), 4)
    return out

def collate(tok, enc, idx):
    feats = [{k: enc[k][i] for k in enc.keys()} for i in idx]
    return tok.pad(feats, return_tensors="pt")


def export_int8(model, tok, workdir):
    """Export ``model`` to ONNX (opset 17, dynamic batch and length) in ``workdir`` and quantize its
    weights to int8 (``quantize_dynamic``); returns (fp32 path, int8 path)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    dummy = tok(["a b c"], ["d e f"], return_tensors="pt")
    fp32 = os.path.join(workdir, "xenc.onnx")
    q8 = os.path.join(workdir, "xenc.int8.onnx")
    torch.onnx.export(model, tuple(dummy[n] for n in NAMES), fp32, input_names=NAMES, output_names=["logits"],
                      dynamic_axes={n: {0: "batch", 1: "seq"} for n in NAMES} | {"logits": {0: "batch"}},
                      opset_version=17, dynamo=False)
    quantize_dynamic(fp32, q8, weight_type=QuantType.QInt8)
    return fp32, q8


def ort_session(path, threads):
    import onnxruntime as ort

    so = ort.SessionOptions(); so.intra_op_num_threads = threads; so.inter_op_num_threads = 1
    return ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])


def onnx_logits(sess, enc, i):
    """One pair at a time, as the service runs it: row ``i`` of a transformers encoding."""
    return sess.run(None, {n: np.array([enc[n][i]], dtype=np.int64) for n in NAMES})[0][0]


def fine_tune(ta, tb, ty, args):
    """Fine-tune all-MiniLM-L6-v2 (``args.model``) on pairs (ta[i], tb[i]) with labels ty; returns
    (model, tokenizer, epoch seconds). Comments are subsampled to ``args.comment_keep`` first (seed ``args.seed``)."""
    rng = np.random.RandomState(args.seed)
    keep = [i for i in range(len(ty)) if ty[i] != 3 or rng.rand() < args.comment_keep]
    ta = [ta[i] for i in keep]; tb = [tb[i] for i in keep]; ty = ty[keep]
    counts = np.bincount(ty, minlength=4)
    inv = len(ty) / (4.0 * counts)
    inv = {"inverse": inv, "sqrt": np.sqrt(inv), "none": np.ones(4)}[args.weighting]
    w = torch.tensor(inv, dtype=torch.float32)
    print("kept train counts", counts.tolist(), "class weights", [round(x, 3) for x in w.tolist()], flush=True)

    tok = AutoTokenizer.from_pretrained(args.model)
    model = AutoModelForSequenceClassification.from_pretrained(args.model, num_labels=4)
    enc_tr = tok(ta, tb, truncation="longest_first", max_length=args.max_len)
    lens = np.array([len(x) for x in enc_tr["input_ids"]])
    print(f"train token len mean {lens.mean():.1f} p50 {np.median(lens):.0f} p90 {np.percentile(lens, 90):.0f}", flush=True)

    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    steps_per_epoch = (len(ty) + args.batch - 1) // args.batch
    if args.max_steps:
        steps_per_epoch = min(steps_per_epoch, args.max_steps)
    total = steps_per_epoch * args.epochs
    warm = int(0.06 * total)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: (s + 1) / max(1, warm) if s < warm else max(0.0, (total - s) / max(1, total - warm)))
    lossf = torch.nn.CrossEntropyLoss(weight=w)
    ylab = torch.tensor(ty)
    epoch_times = []
    for ep in range(args.epochs):
        model.train()
        # length-bucketed shuffling: shuffle, chunk into groups of 50 batches, sort within chunk by length
        perm = rng.permutation(len(ty))
        chunk = args.batch * 50
        order = np.concatenate([c[np.argsort(lens[c])] for c in np.array_split(perm, max(1, len(perm) // chunk))])
        batches = [order[i:i + args.batch] for i in range(0, len(order), args.batch)]
        rng.shuffle(batches)
        t0 = time.time(); tot = 0.0
        for s, bidx in enumerate(batches[:steps_per_epoch]):
            b = collate(tok, enc_tr, bidx)
            logits = model(**b).logits
            loss = lossf(logits, ylab[bidx])
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step(); sched.step(); opt.zero_grad()
            tot += loss.item()
            if s % 50 == 0:
                print(f"ep {ep} step {s}/{steps_per_epoch} loss {tot / (s + 1):.4f} {time.time() - t0:.0f}s", flush=True)
        epoch_times.append(time.time() - t0)
        print(f"epoch {ep} done in {epoch_times[-1]:.0f}s mean loss {tot / steps_per_epoch:.4f}", flush=True)

    return model, tok, epoch_times


def add_recipe_args(ap, *, epochs, max_len, comment_keep):
    """The fine-tuning options (``fine_tune``'s ``args``), with these defaults for the three that differ."""
    ap.add_argument("--model", required=True, help="HF folder of all-MiniLM-L6-v2")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--epochs", type=int, default=epochs)
    ap.add_argument("--max-len", type=int, default=max_len)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=5e-5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--comment-keep", type=float, default=comment_keep, help="fraction of train comments kept")
    ap.add_argument("--weighting", choices=["inverse", "sqrt", "none"], default="inverse",
                    help="class weights: n/(4*count), its square root, or none")
    ap.add_argument("--max-steps", type=int, default=0, help="debug: stop each epoch after N steps")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--holdout-frac", type=float, default=0.0,
                    help="if > 0: hold out this fraction of TRAIN threads, score them instead of dev (for offset tuning)")
    add_recipe_args(ap, epochs=3, max_len=128, comment_keep=1.0)
    args = ap.parse_args()

    random.seed(args.seed); np.random.seed(args.seed); torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    os.makedirs(args.out, exist_ok=True)

    posts = load_posts(args.data)
    tr_key = json.load(open(os.path.join(args.data, "train-key.json")))["subtaskaenglish"]
    dv_key = json.load(open(os.path.join(args.data, "dev-key.json")))["subtaskaenglish"]
    tids, ta, tb, ty, tmiss = build(posts, tr_key)
    if args.holdout_frac > 0:
        srcs = sorted({posts[i]["source"] for i in tids})
        hrng = np.random.RandomState(args.seed + 1)
        held = set(s for s in srcs if hrng.rand() < args.holdout_frac)
        h = [k for k, i in enumerate(tids) if posts[i]["source"] in held]
        t = [k for k, i in enumerate(tids) if posts[i]["source"] not in held]
        da, db, dy, dmiss = [ta[k] for k in h], [tb[k] for k in h], ty[h], 0
        ta, tb, ty = [ta[k] for k in t], [tb[k] for k in t], ty[t]
        print(f"HOLDOUT mode: {len(held)} train threads held out, scored instead of dev", flush=True)
    else:
        _, da, db, dy, dmiss = build(posts, dv_key, platform="twitter")
    print(f"train {len(ty)} (missing {tmiss}) dev-twitter {len(dy)} (missing {dmiss})", flush=True)
    print("train counts", np.bincount(ty, minlength=4).tolist(), "dev counts", np.bincount(dy, minlength=4).tolist())

    model, tok, epoch_times = fine_tune(ta, tb, ty, args)
    enc_dv = tok(da, db, truncation="longest_first", max_length=args.max_len)
    model.eval()
    t0 = time.time(); logits = []
    with torch.no_grad():
        for i in range(0, len(dy), 64):
            logits.append(model(**collate(tok, enc_dv, range(i, min(i + 64, len(dy))))).logits.numpy())
    logits = np.concatenate(logits)
    inf_s = time.time() - t0
    pred = logits.argmax(1)
    res = dict(**{("holdout_train" if args.holdout_frac > 0 else "dev_twitter"): prf(dy, pred)}, epoch_seconds=[round(x, 1) for x in epoch_times],
               train_seconds=round(sum(epoch_times), 1), torch_dev_infer_ms_per_post=round(1000 * inf_s / len(dy), 2),
               args=vars(args), n_train=int(len(ty)), n_dev=int(len(dy)))
    print(json.dumps(res, indent=1))
    json.dump(res, open(os.path.join(args.out, "results.json"), "w"), indent=1)
    np.save(os.path.join(args.out, "dev_logits.npy"), logits)
    np.save(os.path.join(args.out, "eval_labels.npy"), dy)
    model.save_pretrained(os.path.join(args.out, "model")); tok.save_pretrained(os.path.join(args.out, "model"))


if __name__ == "__main__":
    main()
