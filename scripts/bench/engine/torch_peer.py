#!/usr/bin/python3
"""PyTorch peer for `npm run bench:engine`: the same compact segmentation net as
src/main/engine/models (same layers, channels, padding, heads, losses, optimisers), timed the same way
(forward + backward + optimiser update on batches already in tensors).

Protocol: one JSON request per stdin line, one JSON result per stdout line.
  {"size": 64, "width": 16, "batch": 4, "mode": "supervised"|"adversarial", "steps": 5, "warmup": 2, "threads": 1,
   "backbone": "compact"|"resnet50"}
  {"torchvision": "lraspp_mobilenet_v3_large"|"deeplabv3_mobilenet_v3_large", "size": 320, "batch": 2,
   "mode": "infer"|"advent", "steps": 3, "warmup": 1, "threads": 1}   (TorchvisionRunner)
  -> {"msPerStep": ..., "samplesMs": [...], "segParams": ..., "discParams": ..., "threads": 1, "torch": "1.13.1"}
Run with OPENBLAS_NUM_THREADS=1 so OpenBLAS's pool does not fight torch's OpenMP pool over the cores.
"""
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def conv_bn(cin, cout, k, stride=1, rate=1, relu=True):
    layers = [nn.Conv2d(cin, cout, k, stride=stride, padding=rate * (k - 1) // 2, dilation=rate, bias=False),
              nn.BatchNorm2d(cout, eps=1e-5, momentum=0.1)]
    if relu:
        layers.append(nn.ReLU(inplace=True))
    return nn.Sequential(*layers)


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride, rate):
        super().__init__()
        self.c1 = conv_bn(cin, cout, 3, stride, rate, relu=True)
        self.c2 = conv_bn(cout, cout, 3, 1, rate, relu=False)
        self.short = None if (cin == cout and stride == 1) else conv_bn(cin, cout, 1, stride, 1, relu=False)

    def forward(self, x):
        s = x if self.short is None else self.short(x)
        return F.relu(self.c2(self.c1(x)) + s)


class PSP(nn.Module):
    def __init__(self, c, bins, out_c):
        super().__init__()
        self.bins = bins
        bc = max(1, c // len(bins))
        self.branches = nn.ModuleList([conv_bn(c, bc, 1) for _ in bins])
        self.bottleneck = conv_bn(c + bc * len(bins), out_c, 3)

    def forward(self, x):
        h, w = x.shape[2:]
        parts = [x]
        for b, br in zip(self.bins, self.branches):
            y = br(F.adaptive_avg_pool2d(x, b))
            parts.append(F.interpolate(y, size=(h, w), mode="bilinear", align_corners=True))
        return self.bottleneck(torch.cat(parts, 1))


class SegNet(nn.Module):
    """Mirror of SegNet with backbone resnet-compact (see compact-resnet.ts)."""

    def __init__(self, width=16, num_classes=21, bins=(1, 2, 3, 6)):
        super().__init__()
        w = width
        self.stem = nn.Sequential(conv_bn(3, w, 3, 2), conv_bn(w, w, 3))
        self.conv2 = BasicBlock(w, 2 * w, 2, 1)
        self.conv3 = BasicBlock(2 * w, 4 * w, 2, 1)
        self.conv4 = BasicBlock(4 * w, 4 * w, 1, 2)
        self.conv5 = BasicBlock(4 * w, 8 * w, 1, 4)
        self.psp = PSP(8 * w, list(bins), 4 * w)
        self.classifier = nn.Conv2d(4 * w, num_classes, 1, bias=False)
        self.aux = nn.Sequential(conv_bn(4 * w, 4 * w, 1), nn.Conv2d(4 * w, num_classes, 1, bias=True))

    def forward(self, x):
        h = self.conv3(self.conv2(self.stem(x)))
        mid = self.conv4(h)
        out = self.conv5(mid)
        return self.classifier(self.psp(out)), self.aux(mid)


def conv_bn_keras(cin, cout, k, stride=1, rate=1, relu=True):
    """Keras-Applications ResNet-50 conv: bias on every conv, BN eps 1.001e-5."""
    layers = [nn.Conv2d(cin, cout, k, stride=stride, padding=rate * (k - 1) // 2, dilation=rate, bias=True),
              nn.BatchNorm2d(cout, eps=1.001e-5, momentum=0.01)]
    if relu:
        layers.append(nn.ReLU(inplace=True))
    return nn.Sequential(*layers)


class Bottleneck(nn.Module):
    """Keras v1 bottleneck: the stride sits on the first 1x1 conv; dilation on the 3x3."""

    def __init__(self, cin, f, stride, rate, first):
        super().__init__()
        self.short = conv_bn_keras(cin, 4 * f, 1, stride, relu=False) if first else None
        self.c1 = conv_bn_keras(cin, f, 1, stride)
        self.c2 = conv_bn_keras(f, f, 3, 1, rate)
        self.c3 = conv_bn_keras(f, 4 * f, 1, relu=False)

    def forward(self, x):
        s = x if self.short is None else self.short(x)
        return F.relu(self.c3(self.c2(self.c1(x))) + s)


class SegNetResnet50(nn.Module):
    """Mirror of SegNet with backbone resnet50-dilated (resnet50.ts): output stride 8, PSP 2048->512,
    aux head 1024->1024->21 on conv4, classifier 512->21 without bias."""

    STAGES = [(3, 64, 1, 1), (4, 128, 2, 1), (6, 256, 1, 2), (3, 512, 1, 4)]

    def __init__(self, num_classes=21, bins=(1, 2, 3, 6)):
        super().__init__()
        self.stem = conv_bn_keras(3, 64, 7, 2)
        blocks = []
        cin = 64
        self.stage_ends = []
        for n, f, stride, rate in self.STAGES:
            for b in range(n):
                blocks.append(Bottleneck(cin, f, stride if b == 0 else 1, rate, b == 0))
                cin = 4 * f
            self.stage_ends.append(len(blocks))
        self.blocks = nn.ModuleList(blocks)
        self.psp = PSP(2048, list(bins), 512)
        self.classifier = nn.Conv2d(512, num_classes, 1, bias=False)
        self.aux = nn.Sequential(conv_bn(1024, 1024, 1), nn.Conv2d(1024, num_classes, 1, bias=True))

    def forward(self, x):
        h = F.max_pool2d(F.pad(self.stem(x), (1, 1, 1, 1)), 3, 2)
        mid = None
        for i, blk in enumerate(self.blocks):
            h = blk(h)
            if i + 1 == self.stage_ends[2]:
                mid = h
        return self.classifier(self.psp(h)), self.aux(mid)


class Discriminator(nn.Module):
    def __init__(self, c, ndf=64):
        super().__init__()
        chans = [c, ndf, ndf * 2, ndf * 4, ndf * 8, 1]
        self.convs = nn.ModuleList([nn.Conv2d(chans[i], chans[i + 1], 4, stride=2, padding=1) for i in range(5)])

    def forward(self, x):
        for i, c in enumerate(self.convs):
            x = c(x)
            if i < 4:
                x = F.leaky_relu(x, 0.2)
        return x


def entropy_map(logits):
    p = F.softmax(logits, dim=1)
    return -p * torch.log(p + 1e-30) / torch.log(torch.tensor(float(logits.shape[1])))


def count(m):
    return sum(p.numel() for p in m.parameters())


class Trainer:
    def __init__(self, size, width, batch, mode, backbone="compact"):
        torch.manual_seed(0)
        self.size = size
        self.mode = mode
        self.model = SegNetResnet50() if backbone == "resnet50" else SegNet(width)
        self.model.train()
        self.opt = torch.optim.SGD(self.model.parameters(), lr=2.5e-3, momentum=0.9, weight_decay=5e-4)
        self.ce = nn.CrossEntropyLoss(ignore_index=255)
        self.bce = nn.BCEWithLogitsLoss()
        self.src = torch.randn(batch, 3, size, size)
        lab = torch.randint(0, 4, (batch, size, size))
        lab[:, :2, :] = 255
        self.lab = lab
        self.tgt = torch.randn(batch, 3, size, size)
        self.d_params = 0
        if mode == "adversarial":
            self.d_main = Discriminator(21)
            self.d_aux = Discriminator(21)
            self.opt_d = [torch.optim.Adam(d.parameters(), lr=1e-4, betas=(0.9, 0.99)) for d in (self.d_main, self.d_aux)]
            self.d_params = count(self.d_main) + count(self.d_aux)

    def up(self, x):
        return F.interpolate(x, size=(self.size, self.size), mode="bilinear", align_corners=True)

    def step(self):
        self.opt.zero_grad()
        main, aux = self.model(self.src)
        main, aux = self.up(main), self.up(aux)
        loss = self.ce(main, self.lab) + 0.4 * self.ce(aux, self.lab)
        if self.mode == "supervised":
            loss.backward()
            self.opt.step()
            return loss.item()
        # ADVENT (docs/method.md §4): source CE, then the adversarial term on the target with frozen Ds.
        for d in (self.d_main, self.d_aux):
            for p in d.parameters():
                p.requires_grad_(False)
        loss.backward()
        tm, ta = self.model(self.tgt)
        im_t, ia_t = entropy_map(self.up(tm)), entropy_map(self.up(ta))
        dm, da = self.d_main(im_t), self.d_aux(ia_t)
        adv = 0.001 * self.bce(dm, torch.zeros_like(dm)) + 0.0002 * self.bce(da, torch.zeros_like(da))
        adv.backward()
        self.opt.step()
        for d in (self.d_main, self.d_aux):
            for p in d.parameters():
                p.requires_grad_(True)
        im_s, ia_s = entropy_map(main.detach()), entropy_map(aux.detach())
        for d, o, s, t in ((self.d_main, self.opt_d[0], im_s, im_t.detach()), (self.d_aux, self.opt_d[1], ia_s, ia_t.detach())):
            o.zero_grad()
            ds, dt = d(s), d(t)
            ld = 0.5 * self.bce(ds, torch.zeros_like(ds)) + 0.5 * self.bce(dt, torch.ones_like(dt))
            ld.backward()
            o.step()
        return loss.item()


def tv_labels(batch, size):
    """The tfjs side's labels (torchvision-bench.ts `labels`): the same LCG, first two rows ignored (255)."""
    v = []
    s = 12345
    for i in range(batch * size * size):
        s = (s * 1103515245 + 12345) & 0xFFFFFFFF
        v.append(255 if i % (size * size) < 2 * size else (s >> 16) % 21)
    return torch.tensor(v, dtype=torch.long).view(batch, size, size)


class TorchvisionRunner:
    """torchvision's own LR-ASPP / DeepLabV3 MobileNetV3-Large (0.14, random weights, no aux head), timed as
    the engine's torchvision-bench.ts times its port: "infer" = eval forward (model(x)['out'], upsampled by
    torchvision with align_corners=False) + argmax, per batch; "advent" = the studio's AdvEnt step
    (methods/steps.ts): source CE (ignore 255) on the head's logits upsampled with align_corners=True, plus
    0.001·BCE(D(entropy map of the target), source) with D frozen, one SGD step; then one Adam step of D on the
    detached source/target maps (0.5·BCE each). No aux head, so no aux terms or aux discriminator."""

    def __init__(self, arch, size, batch, mode):
        from torchvision.models import segmentation

        torch.manual_seed(0)
        self.arch = arch
        self.size = size
        self.mode = mode
        self.model = getattr(segmentation, arch)(weights=None, weights_backbone=None, num_classes=21)
        self.src = torch.randn(batch, 3, size, size)
        self.tgt = torch.randn(batch, 3, size, size)
        self.d_params = 0
        if mode == "infer":
            self.model.eval()
            return
        self.model.train()
        self.lab = tv_labels(batch, size)
        self.opt = torch.optim.SGD(self.model.parameters(), lr=2.5e-3, momentum=0.9, weight_decay=5e-4)
        self.ce = nn.CrossEntropyLoss(ignore_index=255)
        self.bce = nn.BCEWithLogitsLoss()
        self.d = Discriminator(21)
        self.opt_d = torch.optim.Adam(self.d.parameters(), lr=1e-4, betas=(0.9, 0.99))
        self.d_params = count(self.d)

    def logits(self, x):
        """The head's logits before torchvision's final upsampling (what the tfjs model's forward returns)."""
        f = self.model.backbone(x)
        return self.model.classifier(f if self.arch.startswith("lraspp") else f["out"])

    def up(self, x):
        return F.interpolate(x, size=(self.size, self.size), mode="bilinear", align_corners=True)

    def step(self):
        if self.mode == "infer":
            with torch.no_grad():
                return self.model(self.src)["out"].argmax(1)
        self.opt.zero_grad()
        main = self.up(self.logits(self.src))
        loss = self.ce(main, self.lab)
        for p in self.d.parameters():
            p.requires_grad_(False)
        im_t = entropy_map(self.up(self.logits(self.tgt)))
        dt = self.d(im_t)
        loss = loss + 0.001 * self.bce(dt, torch.zeros_like(dt))
        loss.backward()
        self.opt.step()
        for p in self.d.parameters():
            p.requires_grad_(True)
        self.opt_d.zero_grad()
        ds, dt = self.d(entropy_map(main.detach())), self.d(im_t.detach())
        ld = 0.5 * self.bce(ds, torch.zeros_like(ds)) + 0.5 * self.bce(dt, torch.ones_like(dt))
        ld.backward()
        self.opt_d.step()
        return loss.item()


def main():
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        req = json.loads(line)
        torch.set_num_threads(int(req.get("threads", 1)))
        if "torchvision" in req:
            t = TorchvisionRunner(req["torchvision"], req["size"], req["batch"], req["mode"])
        else:
            t = Trainer(req["size"], req["width"], req["batch"], req["mode"], req.get("backbone", "compact"))
        for _ in range(int(req.get("warmup", 2))):
            t.step()
        samples = []
        for _ in range(int(req["steps"])):
            t0 = time.perf_counter()
            t.step()
            samples.append((time.perf_counter() - t0) * 1000)
        s = sorted(samples)
        n = len(s)
        med = s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2
        print(json.dumps({"msPerStep": med, "samplesMs": samples, "segParams": count(t.model),
                          "discParams": t.d_params, "threads": torch.get_num_threads(), "torch": torch.__version__}),
              flush=True)


if __name__ == "__main__":
    main()
