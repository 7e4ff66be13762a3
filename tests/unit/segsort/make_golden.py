#!/usr/bin/python3
"""Independent float64 numpy reference for tests/unit/segsort/segsort-loss.test.ts.

Writes golden.json: a fixed small input (raw pixel embeddings, labels with void 255, a 2x2 grid
oversegmentation), the SegSort supervised loss (Hwang et al. 2019, eq. 5) and its gradient by central finite
differences in float64. Run with /usr/bin/python3 tests/unit/segsort/make_golden.py."""
import json
import os
import numpy as np

rng = np.random.default_rng(20190601)
N, H, W, D = 2, 4, 5, 4
KAPPA = 3.0
GRID = 2

x = np.round(rng.normal(size=(N, H, W, D)), 3)
x = x.astype(np.float32).astype(np.float64)
labels = rng.choice([0, 0, 3, 7, 255], size=(N, H, W))


def regions(h, w, g):
    r = np.zeros((h, w), dtype=int)
    for y in range(h):
        for xx in range(w):
            r[y, xx] = min(g - 1, (y * g) // h) * g + min(g - 1, (xx * g) // w)
    return r


reg = regions(H, W, GRID)


def loss(xv):
    e = xv / np.sqrt((xv ** 2).sum(-1, keepdims=True) + 1e-12)
    # segments: (image, region, class) with class != 255
    segs = {}
    for b in range(N):
        for y in range(H):
            for xx in range(W):
                c = labels[b, y, xx]
                if c == 255:
                    continue
                segs.setdefault((b, reg[y, xx], c), []).append((b, y, xx))
    keys = list(segs.keys())
    mus = []
    for k in keys:
        m = np.sum([e[p] for p in segs[k]], axis=0)
        mus.append(m / np.sqrt((m ** 2).sum() + 1e-12))
    mus = np.array(mus)
    cls = np.array([k[2] for k in keys])
    total, count = 0.0, 0
    for b in range(N):
        for y in range(H):
            for xx in range(W):
                c = labels[b, y, xx]
                if c == 255:
                    continue
                z = KAPPA * mus @ e[b, y, xx]
                num = np.exp(z[cls == c]).sum()
                den = np.exp(z).sum()
                total += -np.log(num / den)
                count += 1
    return total / count


L = loss(x)
grad = np.zeros_like(x)
eps = 1e-6
it = np.nditer(x, flags=['multi_index'])
for _ in it:
    idx = it.multi_index
    xp = x.copy(); xp[idx] += eps
    xm = x.copy(); xm[idx] -= eps
    grad[idx] = (loss(xp) - loss(xm)) / (2 * eps)

out = {
    'shape': [N, H, W, D],
    'kappa': KAPPA,
    'grid': GRID,
    'x': x.ravel().tolist(),
    'labels': labels.ravel().astype(int).tolist(),
    'loss': L,
    'grad': grad.ravel().tolist(),
}
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'golden.json'), 'w') as f:
    json.dump(out, f)
print('loss', L, 'max |grad|', np.abs(grad).max())
