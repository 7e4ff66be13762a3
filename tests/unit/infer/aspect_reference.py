"""Independent numpy reference of the aspect-preserving inference geometry (src/main/engine/infer/geometry.ts),
written from the specification, not from the TypeScript:

  canvas  <in.json>  <out.json>: each image (H×W×3 uint8) resized so its long side is L (aspect kept,
          round(side·L/long), each ≥ 1; bilinear with half-pixel centres = PyTorch align_corners=False without
          antialias), then padded with 0 (black) at the bottom/right to a canvas whose sides are multiples of 8
          (≥ 16) — per image, or the largest of the batch when "shared".
  upsample <in.json> <out.json>: given each image's logits on its canvas grid (gh×gw×C), the logits of the
          image's own part (the padding cropped) resized bilinearly with align-corners to H×W: output pixel y
          samples canvas pixel y·(h'−1)/(H−1), i.e. grid row y·(h'−1)/(H−1)·(gh−1)/(Hc−1).
"""
import json
import sys

import numpy as np


def resize_half_pixel(img, out_h, out_w):
    h, w, _ = img.shape
    img = img.astype(np.float64)

    def taps(n_in, n_out):
        src = np.maximum((np.arange(n_out) + 0.5) * n_in / n_out - 0.5, 0)
        lo = np.minimum(np.floor(src).astype(int), n_in - 1)
        hi = np.minimum(lo + 1, n_in - 1)
        return lo, hi, src - lo

    y0, y1, wy = taps(h, out_h)
    x0, x1, wx = taps(w, out_w)
    top = img[y0][:, x0] * (1 - wx)[None, :, None] + img[y0][:, x1] * wx[None, :, None]
    bot = img[y1][:, x0] * (1 - wx)[None, :, None] + img[y1][:, x1] * wx[None, :, None]
    return top * (1 - wy)[:, None, None] + bot * wy[:, None, None]


def pad_side(n):
    return max(16, -(-n // 8) * 8)


def canvas(req):
    L = req["longSide"]
    resized = []
    for im in req["images"]:
        h, w = im["height"], im["width"]
        s = L / max(h, w)
        rh, rw = max(1, round(h * s)), max(1, round(w * s))
        data = np.array(im["data"], dtype=np.uint8).reshape(h, w, 3)
        resized.append(resize_half_pixel(data, rh, rw))
    sides = [(pad_side(r.shape[0]), pad_side(r.shape[1])) for r in resized]
    if req["shared"]:
        sides = [(max(s[0] for s in sides), max(s[1] for s in sides))] * len(sides)
    out = []
    for r, (ch, cw) in zip(resized, sides):
        c = np.zeros((ch, cw, 3))
        c[: r.shape[0], : r.shape[1]] = r
        out.append({"height": ch, "width": cw, "resized": [r.shape[0], r.shape[1]], "data": c.ravel().tolist()})
    return {"canvases": out}


def upsample(req):
    out = []
    for item in req["items"]:
        gh, gw, C = item["grid"]
        logits = np.array(item["logits"], dtype=np.float64).reshape(gh, gw, C)
        H, W = item["height"], item["width"]
        rh, rw = item["resized"]
        ch, cw = item["canvas"]

        def pos(n_out, n_img, n_canvas, n_grid):
            if n_out == 1:
                return np.zeros(1)
            return np.arange(n_out) * (n_img - 1) / (n_out - 1) * (n_grid - 1) / (n_canvas - 1)

        py = pos(H, rh, ch, gh)
        px = pos(W, rw, cw, gw)
        y0 = np.minimum(np.floor(py).astype(int), gh - 1)
        x0 = np.minimum(np.floor(px).astype(int), gw - 1)
        y1 = np.minimum(y0 + 1, gh - 1)
        x1 = np.minimum(x0 + 1, gw - 1)
        wy = (py - y0)[:, None, None]
        wx = (px - x0)[None, :, None]
        top = logits[y0][:, x0] * (1 - wx) + logits[y0][:, x1] * wx
        bot = logits[y1][:, x0] * (1 - wx) + logits[y1][:, x1] * wx
        up = top * (1 - wy) + bot * wy
        out.append({"logits": up.ravel().tolist(), "labels": up.argmax(-1).ravel().tolist()})
    return {"images": out}


if __name__ == "__main__":
    mode, src, dst = sys.argv[1:4]
    with open(src) as f:
        req = json.load(f)
    res = canvas(req) if mode == "canvas" else upsample(req)
    with open(dst, "w") as f:
        json.dump(res, f)
