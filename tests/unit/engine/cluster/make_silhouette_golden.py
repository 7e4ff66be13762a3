#!/usr/bin/python3
"""
Golden silhouette scores from scikit-learn (sklearn.metrics.silhouette_score, Euclidean), for
kmeans.test.ts. Run: /usr/bin/python3 tests/unit/engine/cluster/make_silhouette_golden.py
"""
import json
import os

import numpy as np
from sklearn.metrics import adjusted_rand_score, silhouette_score

rng = np.random.default_rng(7)
cases = []
for n, dim, k in [(30, 4, 3), (57, 7, 5), (12, 2, 4)]:
    x = rng.normal(0, 1, size=(n, dim)).astype(np.float32).astype(np.float64)
    labels = np.concatenate([np.arange(k), rng.integers(0, k, size=n - k)])  # every cluster used
    cases.append(
        {
            "points": x.tolist(),
            "labels": labels.tolist(),
            "silhouette": float(silhouette_score(x, labels, metric="euclidean")),
        }
    )
# A singleton cluster (its point scores 0 by convention).
x = rng.normal(0, 1, size=(10, 3)).astype(np.float32).astype(np.float64)
labels = [0, 0, 0, 1, 1, 1, 1, 2, 0, 1]
cases.append({"points": x.tolist(), "labels": labels, "silhouette": float(silhouette_score(x, labels))})
ari = []
for a, b in [([0, 0, 1, 1, 2, 2], [1, 1, 0, 0, 2, 2]), ([0, 0, 0, 1, 1, 1, 2, 2], [0, 1, 2, 0, 1, 2, 0, 1]),
             (rng.integers(0, 4, 40).tolist(), rng.integers(0, 5, 40).tolist())]:
    ari.append({"a": list(map(int, a)), "b": list(map(int, b)), "ari": float(adjusted_rand_score(a, b))})
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "silhouette-golden.json")
with open(out, "w") as fh:
    json.dump({"silhouette": cases, "ari": ari}, fh)
    fh.write("\n")
print("wrote", out)
