#!/usr/bin/python3
"""Golden values for the engine's training primitives, from an independent NumPy implementation.

Run:  /usr/bin/python3 tests/unit/engine/golden/make_golden.py > tests/unit/engine/golden/primitives.json
Everything is float64 here; the TypeScript side computes in float32 and compares with a tolerance.
The formulas follow PyTorch's documented semantics (SGD, Adam, CrossEntropyLoss(ignore_index=255),
BCEWithLogitsLoss, F.interpolate(bilinear, align_corners=False)) and ADVENT's entropy map.
"""
import json
import math

import numpy as np

out = {}
r = np.random.default_rng(20240601)

# ---------- mulberry32 (reference: the original C by Tommy Ettinger, in 32-bit integer arithmetic) ----------
M32 = 0xFFFFFFFF


def imul(a, b):
    return (a * b) & M32


class Mulberry32:
    def __init__(self, seed):
        self.state = seed & M32

    def next_u32(self):
        self.state = (self.state + 0x6D2B79F5) & M32
        t = self.state
        t = imul(t ^ (t >> 15), t | 1)
        t ^= (t + imul(t ^ (t >> 7), t | 61)) & M32
        return (t ^ (t >> 14)) & M32

    def next(self):
        return self.next_u32() / 4294967296.0

    def uniform(self, lo, hi):
        return lo + (hi - lo) * self.next()

    def int(self, n):
        return int(math.floor(self.next() * n))


g = Mulberry32(42)
out["mulberry32_seed42_u32"] = [g.next_u32() for _ in range(6)]
g = Mulberry32(7)
out["mulberry32_seed7_float"] = [g.next() for _ in range(4)]

# ---------- poly schedule ----------
out["poly"] = [{"base": 2.5e-3, "it": it, "max": 1000, "lr": 2.5e-3 * (1 - it / 1000) ** 0.9} for it in (0, 1, 250, 999, 1000)]

# ---------- SGD with momentum + weight decay (torch.optim.SGD) ----------
w0 = r.normal(size=6)
grads = [r.normal(size=6) for _ in range(3)]
lrs = [0.1, 0.05, 0.02]
mom, wd = 0.9, 5e-4
w = w0.copy()
buf = None
sgd_steps = []
for gr, lr in zip(grads, lrs):
    d = gr + wd * w
    buf = d.copy() if buf is None else mom * buf + d
    w = w - lr * buf
    sgd_steps.append(w.tolist())
out["sgd"] = {"w0": w0.tolist(), "grads": [x.tolist() for x in grads], "lrs": lrs, "momentum": mom,
              "weightDecay": wd, "w": sgd_steps}

# ---------- Adam (torch.optim.Adam) ----------
w = w0.copy()
m = np.zeros_like(w)
v = np.zeros_like(w)
b1, b2, eps = 0.9, 0.99, 1e-8
adam_steps = []
for t, (gr, lr) in enumerate(zip(grads, lrs), start=1):
    m = b1 * m + (1 - b1) * gr
    v = b2 * v + (1 - b2) * gr * gr
    mh = m / (1 - b1 ** t)
    vh = v / (1 - b2 ** t)
    w = w - lr * mh / (np.sqrt(vh) + eps)
    adam_steps.append(w.tolist())
out["adam"] = {"w0": w0.tolist(), "grads": [x.tolist() for x in grads], "lrs": lrs, "beta1": b1, "beta2": b2,
               "epsilon": eps, "w": adam_steps}

# ---------- cross-entropy with ignore label 255 (mean over labelled pixels) and its gradient ----------
N, H, W, C = 2, 3, 4, 5
logits = r.normal(scale=2.0, size=(N, H, W, C))
labels = r.integers(0, C, size=(N, H, W))
labels[0, 0, :2] = 255
labels[1, 2, 3] = 255
z = logits - logits.max(axis=-1, keepdims=True)
logp = z - np.log(np.exp(z).sum(axis=-1, keepdims=True))
p = np.exp(logp)
valid = labels != 255
count = valid.sum()
lab_safe = np.where(valid, labels, 0)
picked = np.take_along_axis(logp, lab_safe[..., None], axis=-1)[..., 0]
ce = -(picked * valid).sum() / count
onehot = np.eye(C)[lab_safe]
dlogits = (p - onehot) * valid[..., None] / count
out["ce"] = {"shape": [N, H, W, C], "logits": logits.ravel().tolist(), "labels": labels.ravel().tolist(),
             "loss": float(ce), "grad": dlogits.ravel().tolist()}

# ---------- ADVENT entropy map ----------
ent = -p * np.log(p + 1e-30) / np.log(C)
out["entropy"] = {"shape": [N, H, W, C], "logits": logits.ravel().tolist(), "map": ent.ravel().tolist(),
                  "mean": float(ent.sum() / (N * H * W))}

# ---------- BCE with logits ----------
x = r.normal(scale=3.0, size=(2, 3, 3, 1))
x.ravel()[0] = 40.0  # large logits exercise the stable form
x.ravel()[1] = -40.0
bce = {}
for y in (0.0, 1.0):
    pr = 1 / (1 + np.exp(-x))
    # log(sigmoid) computed stably via logaddexp
    loss = -(y * -np.logaddexp(0, -x) + (1 - y) * -np.logaddexp(0, x))
    bce[str(int(y))] = float(loss.mean())
out["bce"] = {"shape": list(x.shape), "logits": x.ravel().tolist(), "loss": bce}

# ---------- augmentation: plan (same draw order as the TS code) and resize → pad → crop → flip ----------


def plan(rng, w, h, crop, base, lo, hi, flip):
    long_side = max(1, int(math.floor(base * rng.uniform(lo, hi) + 0.5)))  # JS Math.round = floor(x + .5)
    s = long_side / max(w, h)
    sw = max(1, int(math.floor(w * s + 0.5)))
    sh = max(1, int(math.floor(h * s + 0.5)))
    fl = rng.next() < 0.5 if flip else False
    cx = rng.int(max(0, sw - crop) + 1)
    cy = rng.int(max(0, sh - crop) + 1)
    return {"scaledW": sw, "scaledH": sh, "cropX": cx, "cropY": cy, "flip": bool(fl)}


def resize_bilinear(img, oh, ow):
    """F.interpolate(mode='bilinear', align_corners=False) on an HWC array, separable form."""
    h, w, _ = img.shape

    def weights(out_n, in_n):
        src = (np.arange(out_n) + 0.5) * (in_n / out_n) - 0.5
        src = np.maximum(src, 0)
        i0 = np.minimum(np.floor(src).astype(int), in_n - 1)
        i1 = np.minimum(i0 + 1, in_n - 1)
        lam = src - i0
        return i0, i1, lam

    y0, y1, ly = weights(oh, h)
    x0, x1, lx = weights(ow, w)
    rows = img[y0] * (1 - ly)[:, None, None] + img[y1] * ly[:, None, None]
    return rows[:, x0] * (1 - lx)[None, :, None] + rows[:, x1] * lx[None, :, None]


def resize_nearest(lab, oh, ow):
    h, w = lab.shape
    ys = np.minimum(np.floor((np.arange(oh) + 0.5) * (h / oh)).astype(int), h - 1)
    xs = np.minimum(np.floor((np.arange(ow) + 0.5) * (w / ow)).astype(int), w - 1)
    return lab[ys][:, xs]


aug_cases = []
rng = Mulberry32(1234)
for (w, h, crop) in [(13, 9, 8), (7, 11, 12), (20, 16, 10), (40, 30, 16)]:
    img = r.uniform(0, 255, size=(h, w, 3))
    lab = r.integers(0, 21, size=(h, w)).astype(np.uint8)
    pl = plan(rng, w, h, crop, base=crop, lo=0.5, hi=2.0, flip=True)
    ri = resize_bilinear(img, pl["scaledH"], pl["scaledW"])
    rl = resize_nearest(lab, pl["scaledH"], pl["scaledW"])
    ph = max(0, pl["cropY"] + crop - pl["scaledH"])
    pw = max(0, pl["cropX"] + crop - pl["scaledW"])
    ri = np.pad(ri, ((0, ph), (0, pw), (0, 0)), constant_values=-1.0)
    rl = np.pad(rl, ((0, ph), (0, pw)), constant_values=255)
    ci = ri[pl["cropY"]:pl["cropY"] + crop, pl["cropX"]:pl["cropX"] + crop]
    cl = rl[pl["cropY"]:pl["cropY"] + crop, pl["cropX"]:pl["cropX"] + crop]
    if pl["flip"]:
        ci = ci[:, ::-1]
        cl = cl[:, ::-1]
    aug_cases.append({"w": w, "h": h, "crop": crop, "image": img.ravel().tolist(), "label": lab.ravel().tolist(),
                      "plan": pl, "outImage": ci.ravel().tolist(), "outLabel": cl.ravel().astype(int).tolist()})
out["augment"] = {"seed": 1234, "minScale": 0.5, "maxScale": 2.0, "fill": -1.0, "cases": aug_cases}

print(json.dumps(out))
