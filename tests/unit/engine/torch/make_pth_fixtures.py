#!/usr/bin/python3
"""Writes .pth files with Debian's python3-torch / python3-torchvision for the TypeScript .pth reader tests.

usage: make_pth_fixtures.py values OUTDIR   # real values: LR-ASPP state dict, strided views and dtypes,
                                            # wrapped checkpoints, protocol 4, the legacy format
       make_pth_fixtures.py archs OUTDIR    # one state dict per architecture the studio detects

Each NAME.pth gets NAME.json: for every tensor its name, shape, dtype and the sha256 of its values as the
reader must produce them (contiguous, row-major; floating dtypes as float32, integer and bool as float64,
little-endian), so the test compares exactly. "archs" files store every tensor as a zero-stride view of a
one-element storage (torch.save keeps the view): real key names and shapes at a few KB per model.
"""
import hashlib
import json
import os
import sys
from collections import OrderedDict

import torch
import torch.nn as nn
import torchvision
from torchvision.models import segmentation as seg
from torchvision.models.resnet import Bottleneck

FLOATS = (torch.float32, torch.float64, torch.float16, torch.bfloat16)


def expected_bytes(t):
    t = t.detach().contiguous()
    t = t.to(torch.float32) if t.dtype in FLOATS else t.to(torch.float64)
    return t.numpy().tobytes()


def describe(sd):
    out = []
    for k, t in sd.items():
        out.append({
            "name": k,
            "shape": list(t.shape),
            "dtype": str(t.dtype).replace("torch.", ""),
            "sha256": hashlib.sha256(expected_bytes(t)).hexdigest(),
        })
    return out


def save(outdir, name, obj, sd, extra=None, **kw):
    torch.save(obj, os.path.join(outdir, name + ".pth"), **kw)
    meta = {"tensors": describe(sd)}
    meta.update(extra or {})
    with open(os.path.join(outdir, name + ".json"), "w") as f:
        json.dump(meta, f)


def params(model):
    return sum(p.numel() for p in model.parameters())


def values(outdir):
    torch.manual_seed(0)
    m = seg.lraspp_mobilenet_v3_large(weights=None, weights_backbone=None, num_classes=21).eval()
    sd = m.state_dict()
    save(outdir, "lraspp", sd, sd, {"parameters": params(m)})

    base = torch.arange(48, dtype=torch.float32).reshape(6, 8) * 0.5 - 3
    views = OrderedDict()
    views["transposed"] = base.t()                      # strides (1, 8)
    views["slice"] = base[2:5]                          # offset 16, shares base's storage
    views["window"] = base[1:, 2:7:2]                   # offset and a step
    views["expanded"] = torch.tensor([1.5, -2.0]).reshape(2, 1).expand(2, 5)  # stride 0
    views["permuted"] = torch.randn(2, 3, 4).permute(2, 0, 1)
    views["f64"] = torch.randn(3, 4, dtype=torch.float64)
    views["f16"] = torch.tensor([0.0, -0.0, 1e-7, 65504.0, float("inf"), -1.5, 3.140625], dtype=torch.float16)
    views["bf16"] = torch.randn(5).to(torch.bfloat16)
    views["i64"] = torch.tensor([0, -1, 2**40 + 3, -(2**35), 7], dtype=torch.int64)
    views["i32"] = torch.tensor([[1, -2], [3, -2**31]], dtype=torch.int32)
    views["u8"] = torch.tensor([0, 255, 17], dtype=torch.uint8)
    views["bool"] = torch.tensor([True, False, True])
    views["scalar"] = torch.tensor(3.25)
    views["num_batches_tracked"] = torch.tensor(12345, dtype=torch.int64)
    views["empty"] = torch.zeros(0, 3)
    views["param"] = nn.Parameter(torch.randn(2, 2))
    save(outdir, "views", views, views)
    save(outdir, "views_p4", views, views, pickle_protocol=4)

    small = OrderedDict((k, v) for k, v in list(sd.items())[:12])
    dp = OrderedDict(("module." + k, v) for k, v in small.items())
    opt = torch.optim.SGD([nn.Parameter(torch.zeros(3))], lr=0.01, momentum=0.9)
    ckpt = {"epoch": 7, "lr": 0.01, "best": 63.5, "arch": "lraspp", "state_dict": dp, "optimizer": opt.state_dict()}
    save(outdir, "wrapped_dp", ckpt, small)
    save(outdir, "wrapped_model", {"model": small, "iteration": 123456789012}, small)
    save(outdir, "legacy", small, small, _use_new_zipfile_serialization=False)
    save(outdir, "a_list", [base, base], OrderedDict())


class DeepStemPSS(nn.Module):
    """The released PSS network's parameter layout (PSP-ResNet-50 deep stem, aux head, group context), with
    the module names of the authors' code so state-dict keys match their checkpoints."""

    def __init__(self, classes=21):
        super().__init__()
        r = torchvision.models.resnet50(weights=None)
        prefix = nn.Sequential(OrderedDict([
            ("conv1", nn.Conv2d(3, 64, 3, 2, 1, bias=False)), ("bn1", nn.BatchNorm2d(64)), ("relu1", nn.ReLU()),
            ("conv2", nn.Conv2d(64, 64, 3, 1, 1, bias=False)), ("bn2", nn.BatchNorm2d(64)), ("relu2", nn.ReLU()),
            ("conv3", nn.Conv2d(64, 128, 3, 1, 1, bias=False)), ("bn3", nn.BatchNorm2d(128)), ("relu3", nn.ReLU()),
        ]))
        # layer1 takes 128 channels from the deep stem.
        r.layer1[0] = Bottleneck(128, 64, downsample=nn.Sequential(nn.Conv2d(128, 256, 1, bias=False), nn.BatchNorm2d(256)))
        enc = nn.Module()
        enc.base = nn.Sequential(nn.Sequential(prefix, nn.MaxPool2d(3, 2, 1)), r.layer1, r.layer2, r.layer3)
        enc.layer4 = r.layer4
        psp = nn.Module()
        psp.stages = nn.ModuleList(
            [nn.Sequential(nn.AdaptiveAvgPool2d(b), nn.Conv2d(2048, 512, 1, bias=False), nn.BatchNorm2d(512), nn.ReLU())
             for b in (1, 2, 3, 6)])
        psp.bottleneck = nn.Sequential(nn.Conv2d(4096, 512, 3, padding=1, bias=False), nn.BatchNorm2d(512), nn.ReLU())
        enc.psp = psp
        self.encoder = enc
        self.aux_decoder = nn.Sequential(nn.Conv2d(1024, 1024, 1, bias=False), nn.BatchNorm2d(1024), nn.ReLU(),
                                         nn.Conv2d(1024, classes, 1, bias=True))
        self.conv3x3_ocr = nn.Sequential(nn.Conv2d(2048, 512, 3, padding=1, bias=False), nn.BatchNorm2d(512), nn.ReLU())

        def bnrelu(c):
            return nn.Sequential(nn.BatchNorm2d(c), nn.ReLU())

        blk = nn.Module()
        blk.f_pixel = nn.Sequential(nn.Conv2d(512, 256, 1, bias=False), bnrelu(256), nn.Conv2d(256, 256, 1, bias=False), bnrelu(256))
        blk.f_object = nn.Sequential(nn.Conv2d(512, 256, 1, bias=False), bnrelu(256), nn.Conv2d(256, 256, 1, bias=False), bnrelu(256))
        blk.f_down = nn.Sequential(nn.Conv2d(512, 256, 1, bias=False), bnrelu(256))
        blk.f_up = nn.Sequential(nn.Conv2d(256, 512, 1, bias=False), bnrelu(512))
        upd = nn.Module()
        upd.object_context_block = blk
        upd.conv_bn_dropout = nn.Sequential(nn.Conv2d(1024, 512, 1, bias=False), bnrelu(512), nn.Dropout2d(0.05))
        gm = nn.Module()
        gm.ocr_update = upd
        self.group_md = gm
        dec = nn.Module()
        dec.conv1x1 = nn.Conv2d(512, classes, 1, bias=False)
        self.main_decoder = dec


def archs(outdir):
    models = {
        "lraspp_mobilenet_v3_large": lambda: seg.lraspp_mobilenet_v3_large(weights=None, weights_backbone=None, num_classes=21),
        "deeplabv3_mobilenet_v3_large": lambda: seg.deeplabv3_mobilenet_v3_large(weights=None, weights_backbone=None, num_classes=21),
        "deeplabv3_mobilenet_v3_large_aux": lambda: seg.deeplabv3_mobilenet_v3_large(weights=None, weights_backbone=None, num_classes=21, aux_loss=True),
        "deeplabv3_resnet50_aux": lambda: seg.deeplabv3_resnet50(weights=None, weights_backbone=None, num_classes=21, aux_loss=True),
        "deeplabv3_resnet101": lambda: seg.deeplabv3_resnet101(weights=None, weights_backbone=None, num_classes=21),
        "fcn_resnet50_aux": lambda: seg.fcn_resnet50(weights=None, weights_backbone=None, num_classes=21, aux_loss=True),
        "resnet50": lambda: torchvision.models.resnet50(weights=None),
        "mobilenet_v3_large": lambda: torchvision.models.mobilenet_v3_large(weights=None),
        "pss_psp_resnet50": lambda: DeepStemPSS(),
        "lraspp_10_classes": lambda: seg.lraspp_mobilenet_v3_large(weights=None, weights_backbone=None, num_classes=10),
    }
    only = set(sys.argv[3:])
    index = {}
    for name, build in models.items():
        if only and name not in only:
            continue
        m = build()
        sd = OrderedDict()
        for k, t in m.state_dict().items():
            # One stored element per tensor, viewed at the real shape (torch.save keeps the zero strides).
            sd[k] = torch.full((1,) * t.dim(), 1, dtype=t.dtype).expand(t.shape)
        torch.save(sd, os.path.join(outdir, name + ".pth"))
        index[name] = {
            "parameters": params(m),
            "keys": len(sd),
            "shapes": {k: list(t.shape) for k, t in sd.items()},
        }
    with open(os.path.join(outdir, "archs.json"), "w") as f:
        json.dump(index, f)


if __name__ == "__main__":
    mode, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    {"values": values, "archs": archs}[mode](out)
