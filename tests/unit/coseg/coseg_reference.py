"""Independent numpy reference of the co-segmentation rule (coseg-math.ts) at grid resolution, no CRF.
stdin: {"numClasses", "dim", "config": {...}, "images": [{"tags", "m", "logits", "features"}]}
stdout: {"labels": [[...], ...], "scores": [[...], ...]}"""
import json, sys
import numpy as np

req = json.load(sys.stdin)
C = req["numClasses"]; D = req["dim"]; cfg = req["config"]
alpha, T, seed, minc = cfg["affinityWeight"], cfg["temperature"], cfg["seedConfidence"], cfg["minConfidence"]
members = []
for im in req["images"]:
    m = im["m"]
    z = np.array(im["logits"], dtype=np.float64).reshape(m, C)
    f = np.array(im["features"], dtype=np.float64).reshape(m, D)
    allowed = [0] + sorted(set(t for t in im["tags"] if 1 <= t < C))
    za = z[:, allowed]
    p = np.exp(za - za.max(1, keepdims=True)); p /= p.sum(1, keepdims=True)
    n = np.linalg.norm(f, axis=1, keepdims=True)
    u = np.where(n > 0, f / np.where(n > 0, n, 1), 0)
    members.append((allowed, p, u))

protos = {}
for c in sorted(set(c for a, _, _ in members for c in a)):
    def acc(th):
        s = np.zeros(D); used = 0
        for a, p, u in members:
            if c not in a: continue
            w = p[:, a.index(c)]
            mask = (w > 0) if th is None else ((w >= th) & (w > 0))
            s += (w[mask, None] * u[mask]).sum(0); used += int(mask.sum())
        return s, used
    s, used = acc(seed)
    if used == 0: s, used = acc(None)
    if np.linalg.norm(s) > 0: protos[c] = s / np.linalg.norm(s)

labels, scores = [], []
for a, p, u in members:
    cos = np.stack([u @ protos[c] if c in protos else np.zeros(len(u)) for c in a], 1)
    s = (1 - alpha) * np.log(np.maximum(p, 1e-8)) + alpha * cos / T
    q = np.exp(s - s.max(1, keepdims=True)); q /= q.sum(1, keepdims=True)
    best = q.argmax(1)
    lab = [a[b] if q[i, b] >= minc else 255 for i, b in enumerate(best)]
    labels.append(lab); scores.append(s.ravel().tolist())
print(json.dumps({"labels": labels, "scores": scores}))
