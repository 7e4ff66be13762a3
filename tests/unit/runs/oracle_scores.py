"""Independent oracle for a studio run's stored metrics (docs/method.md §6), in numpy.

Reads a JSON list of {"gt": path, "pred": path} from stdin (palette or grey label PNGs, same size), and
prints {"fiou", "miou_all21", "miou_present", "miou_paper", "per_image": [...], "iou": [21], "images": [21]}
as fractions. Written from the definitions, not from the TypeScript code under test. miou_paper is the
paper's Tables 2/7 MIoU: mean IoU over the object classes 1..20 found in the GT pixels (void and
background excluded); None when the GT holds none.
"""
import json
import sys

import numpy as np
from PIL import Image

N = 21


def labels(path):
    im = Image.open(path)
    if im.mode not in ("P", "L"):
        raise SystemExit(f"{path}: not a label PNG (mode {im.mode})")
    return np.array(im, dtype=np.int64)


pairs = json.load(sys.stdin)
hist = np.zeros((N, N), dtype=np.float64)
per_image = []
class_images = np.zeros(N, dtype=np.int64)
gt_objects = np.zeros(N, dtype=bool)
for p in pairs:
    gt = labels(p["gt"])
    pred = labels(p["pred"])
    assert gt.shape == pred.shape, (p, gt.shape, pred.shape)
    # FIoU: void (255) counts as foreground in the union; an empty union scores 0.
    union = np.logical_or(pred > 0, gt > 0).sum()
    inter = np.logical_and(pred == gt, pred > 0).sum()
    per_image.append(float(inter / union) if union > 0 else 0.0)
    k = gt != 255
    hist += np.bincount(N * gt[k] + pred[k], minlength=N * N).reshape(N, N)
    for c in np.unique(gt[k]):
        class_images[c] += 1
    gt_objects[np.unique(gt[(gt > 0) & (gt < N)])] = True
diag = np.diag(hist)
union = hist.sum(1) + hist.sum(0) - diag
iou = diag / (union + np.finfo(float).eps)
present = union > 0
print(json.dumps({
    "fiou": float(np.mean(per_image)),
    "miou_all21": float(np.mean(iou)),
    "miou_present": float(np.mean(diag[present] / union[present])) if present.any() else None,
    "miou_paper": float(np.mean(iou[gt_objects])) if gt_objects.any() else None,
    "per_image": per_image,
    "iou": [float(x) for x in iou],
    "images": [int(x) for x in class_images],
}))
