"""Export the fine-tuned cross-encoder to ONNX, quantize dynamically to int8, and time onnxruntime.

Usage: python export_onnx.py --model /tmp/xenc-out/run1/model --data <rumoureval dir> --out /tmp/xenc-out/onnx
Re-scores dev Twitter posts with the int8 model (metrics only, no text is written).
"""
import argparse, os, sys, time, json
import numpy as np
import torch
from transformers import AutoTokenizer, AutoModelForSequenceClassification

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train_xenc as X


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--max-len", type=int, default=80)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    torch.set_num_threads(args.threads)
    tok = AutoTokenizer.from_pretrained(args.model)
    model = AutoModelForSequenceClassification.from_pretrained(args.model).eval()
    fp32, q8 = X.export_int8(model, tok, args.out)
    posts = X.load_posts(args.data)
    key = json.load(open(os.path.join(args.data, "dev-key.json")))["subtaskaenglish"]
    _, a, b, y, _ = X.build(posts, key, platform="twitter")
    enc = tok(a, b, truncation="longest_first", max_length=args.max_len)
    res = {"fp32_MB": round(os.path.getsize(fp32) / 1e6, 2), "int8_MB": round(os.path.getsize(q8) / 1e6, 2)}
    for tag, path in [("fp32", fp32), ("int8", q8)]:
        sess = X.ort_session(path, args.threads)
        preds = []
        t0 = time.time()
        for i in range(len(y)):  # one post at a time (online use)
            preds.append(int(X.onnx_logits(sess, enc, i).argmax()))
        dt = time.time() - t0
        res[tag] = dict(ms_per_post_batch1=round(1000 * dt / len(y), 2), dev_twitter=X.prf(y, np.array(preds)))
    print(json.dumps(res, indent=1))
    json.dump(res, open(os.path.join(args.out, "onnx_results.json"), "w"), indent=1)


if __name__ == "__main__":
    main()
