#!/usr/bin/python3
"""Inputs and PyTorch's answers for `pss-studio predict --model FILE.pth` (tests/unit/infer/predict-pth.test.ts).

Run:  /usr/bin/python3 make_pth_predict_golden.py OUT_DIR
Needs Debian's python3-torch (1.13), python3-torchvision (0.14), python3-pil, python3-numpy. Writes:
  images/{name}.png      photo-like RGB images (gradients, shapes, noise) of different non-square sizes;
                         PNG so PIL and the studio (sharp) decode the same bytes (no JPEG decoder or EXIF differences)
  {arch}.pth             torch.save(model.state_dict()) of torchvision's lraspp_mobilenet_v3_large and
                         deeplabv3_mobilenet_v3_large (aux head), random weights (weights=None,
                         weights_backbone=None) with BatchNorm statistics measured on such images
  {arch}/{name}.labels   model(x)['out'].argmax(1) as raw uint8 (row-major H×W), x = the image as
                         torchvision evaluates it (RGB/255, ImageNet mean/std, native resolution)
  resnet50.pth           an ImageNet backbone (not a segmentation model)
  unknown.pth            a state dict of no known architecture
  golden.json            {images: {name: [W, H]}, classes: {arch: {name: distinct classes in the argmax}},
                          margin: {arch: {name: fraction of pixels whose top-2 logits differ by < 1e-3}}}
"""
import json
import os
import sys

import numpy as np
import torch
from PIL import Image, ImageDraw

SIZES = {'street': (173, 121), 'portrait': (96, 150), 'strip': (211, 64)}
ARCHS = {'lraspp_mobilenet_v3_large': {}, 'deeplabv3_mobilenet_v3_large': {'aux_loss': True}}
MEAN = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
STD = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)


def photo(rng, w, h):
    """A photo-like RGB image: a sky-to-ground gradient, a few filled shapes, sensor-like noise."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    top, bottom = rng.uniform(40, 230, 3), rng.uniform(20, 200, 3)
    t = (yy / max(h - 1, 1))[..., None]
    base = top * (1 - t) + bottom * t + (xx / max(w - 1, 1))[..., None] * rng.uniform(-40, 40, 3)
    img = Image.fromarray(np.clip(base, 0, 255).astype(np.uint8), 'RGB')
    d = ImageDraw.Draw(img)
    for _ in range(rng.integers(3, 7)):
        x0, y0 = rng.integers(0, w), rng.integers(0, h)
        x1, y1 = x0 + rng.integers(8, w // 2 + 9), y0 + rng.integers(8, h // 2 + 9)
        fill = tuple(int(c) for c in rng.integers(0, 256, 3))
        (d.ellipse if rng.random() < 0.5 else d.rectangle)([x0, y0, x1, y1], fill=fill)
    a = np.asarray(img).astype(np.float32) + rng.normal(0, 6, (h, w, 3))
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8), 'RGB')


def as_input(img):
    """torchvision's evaluation transform: ToTensor (RGB/255) + Normalize(ImageNet mean, std)."""
    x = torch.from_numpy(np.asarray(img.convert('RGB'), dtype=np.float32) / 255).permute(2, 0, 1)[None]
    return (x - MEAN) / STD


def main():
    out = sys.argv[1]
    torch.manual_seed(0)
    torch.set_num_threads(1)
    rng = np.random.default_rng(7)
    os.makedirs(os.path.join(out, 'images'), exist_ok=True)
    for name, (w, h) in SIZES.items():
        photo(rng, w, h).save(os.path.join(out, 'images', name + '.png'))
    # BatchNorm statistics from other photos of the same kind (cumulative average over the passes).
    calib = torch.cat([as_input(photo(rng, 128, 96)) for _ in range(8)])
    golden = {'images': SIZES, 'classes': {}, 'margin': {}}
    from torchvision.models import resnet50, segmentation

    for arch, extra in ARCHS.items():
        model = getattr(segmentation, arch)(weights=None, weights_backbone=None, num_classes=21, **extra)
        bns = [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]
        for m in bns:
            m.momentum = None
            m.reset_running_stats()
        model.train()
        with torch.no_grad():
            for i in range(0, len(calib), 4):
                model(calib[i:i + 4])
        for m in bns:
            m.momentum = 0.1
        model.eval()
        torch.save(model.state_dict(), os.path.join(out, arch + '.pth'))
        os.makedirs(os.path.join(out, arch), exist_ok=True)
        golden['classes'][arch], golden['margin'][arch] = {}, {}
        for name in SIZES:
            img = Image.open(os.path.join(out, 'images', name + '.png'))
            with torch.no_grad():
                logits = model(as_input(img))['out'][0]
            labels = logits.argmax(0).to(torch.uint8).numpy()
            labels.tofile(os.path.join(out, arch, name + '.labels'))
            top2 = logits.topk(2, dim=0).values
            golden['classes'][arch][name] = int(len(np.unique(labels)))
            golden['margin'][arch][name] = float(((top2[0] - top2[1]) < 1e-3).float().mean())
    torch.save(resnet50(weights=None).state_dict(), os.path.join(out, 'resnet50.pth'))
    torch.save({'encoder.stem.weight': torch.randn(8, 3, 3, 3), 'head.bias': torch.zeros(5)},
               os.path.join(out, 'unknown.pth'))
    with open(os.path.join(out, 'golden.json'), 'w') as f:
        json.dump(golden, f)


if __name__ == '__main__':
    main()
