#!/usr/bin/python3
"""Goldens for the tfjs torchvision segmentation models, from torchvision itself.

Run:  /usr/bin/python3 make_torchvision_golden.py ARCH OUT_DIR [H W [eval-only]]
      ARCH: lraspp_mobilenet_v3_large | deeplabv3_mobilenet_v3_large | deeplabv3_resnet50 |
            deeplabv3_resnet101 (the DeepLabV3 models built with their aux FCN head)
Needs Debian's python3-torch (1.13) and python3-torchvision (0.14). Writes two tensor files, each an
index (<name>.json: [{name, dtype, shape, offset}], offsets in float32 elements) plus raw little-endian
float32 data (<name>.bin):
  state   the model's state_dict() after a few train-mode passes (realistic BN running statistics)
  golden  input x [N,3,H,W], labels [N,H,W], eval logits before/after upsampling, and one training step:
          its loss (CrossEntropyLoss(ignore_index=255) of model(x)['out']), a few parameter gradients, and
          two BN running statistics after that step — computed in float64 (the exact values) — and the same
          gradients from PyTorch's float32 run (f32grad:…), to show float32's own error next to tfjs's.
  model.pth  the same state dict written by torch.save (for the .pth reader).
For the ResNet models (FROZEN_BN_STEP) golden also holds the same step with BatchNorm frozen (eval mode, as
fine-tuning on small batches runs it): frozen_loss, frozen_grad:… (float64) and frozen_f32grad:… (float32).
Train-mode BN over a 2-image batch makes the ResNet step ill-conditioned in float32 (PyTorch's own float32
gradients are ~1e-2 from float64: the ASPP pooling branch's BN normalises 2 values, where the exact
gradient cancels and rounding is amplified by 1/σ, and the backbone's 50 train-mode BNs do the same on
small maps); with BN frozen the backward is well-conditioned, so every layer's gradient can be held to 1e-3.
With `eval-only` the training-step entries (loss, gradients, running statistics) are not computed.
The default H×W (212×276) is not a multiple of 8, so stride-2 layers see odd sizes (PyTorch's symmetric padding).
"""
import copy
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

ARCHS = ('lraspp_mobilenet_v3_large', 'deeplabv3_mobilenet_v3_large', 'deeplabv3_resnet50', 'deeplabv3_resnet101')
N = 2
CLASSES = 21
GRADS = {
    'lraspp_mobilenet_v3_large': [
        'backbone.0.0.weight',              # first conv (input gradient skipped in tfjs)
        'backbone.13.block.2.fc1.weight',   # squeeze-excitation fc, dilated stage
        'backbone.14.block.1.0.weight',     # dilated depthwise conv
        'backbone.4.block.1.0.weight',      # strided 5×5 depthwise conv
        'backbone.7.block.1.1.weight',      # a BN weight
        'classifier.scale.1.weight',
        'classifier.high_classifier.weight',
        'classifier.low_classifier.bias',
    ],
    'deeplabv3_mobilenet_v3_large': [
        'backbone.0.0.weight',
        'backbone.13.block.2.fc1.weight',
        'backbone.14.block.1.0.weight',
        'classifier.0.convs.2.0.weight',    # ASPP 3×3 conv at rate 24
        'classifier.0.convs.4.1.weight',    # ASPP pooling branch conv
        'classifier.0.project.1.weight',
        'classifier.4.weight',
        'aux_classifier.0.weight',
    ],
    'deeplabv3_resnet50': [
        'backbone.conv1.weight',            # 7×7 stride-2 stem conv (input gradient skipped in tfjs), before the max-pool
        'backbone.layer1.0.downsample.0.weight',
        'backbone.layer2.0.conv2.weight',   # strided 3×3 conv (odd input size: symmetric padding)
        'backbone.layer3.1.conv2.weight',   # dilation 2
        'backbone.layer4.0.conv2.weight',   # first layer4 block: dilation 2
        'backbone.layer4.2.conv2.weight',   # dilation 4
        'backbone.layer4.2.bn3.weight',
        'classifier.0.convs.3.0.weight',    # ASPP 3×3 conv at rate 36
        'classifier.0.convs.4.1.weight',    # ASPP pooling branch conv (its BN sees a 1×1 map)
        'classifier.0.project.1.weight',
        'classifier.4.weight',
        'classifier.4.bias',
        'aux_classifier.0.weight',
    ],
}
GRADS['deeplabv3_resnet101'] = GRADS['deeplabv3_resnet50'] + ['backbone.layer3.22.conv2.weight']
FROZEN_BN_STEP = ('deeplabv3_resnet50', 'deeplabv3_resnet101')
RUNNING = {
    'lraspp_mobilenet_v3_large': ['backbone.14.block.1.1.running_mean', 'classifier.cbr.1.running_var'],
    'deeplabv3_mobilenet_v3_large': ['classifier.0.convs.4.2.running_mean', 'aux_classifier.1.running_var'],
    'deeplabv3_resnet50': ['backbone.layer4.1.bn2.running_var', 'classifier.0.convs.4.2.running_mean'],
    'deeplabv3_resnet101': ['backbone.layer3.20.bn2.running_var', 'classifier.0.convs.4.2.running_mean'],
}


def build(arch):
    from torchvision.models import segmentation

    extra = {'aux_loss': True} if arch.startswith('deeplabv3') else {}
    return getattr(segmentation, arch)(weights=None, weights_backbone=None, num_classes=CLASSES, **extra)


def loss_of(out, labels):
    """torchvision's segmentation reference criterion: CE(out) + 0.5·CE(aux), ignore 255."""
    loss = F.cross_entropy(out['out'], labels, ignore_index=255)
    if 'aux' in out:
        loss = loss + 0.5 * F.cross_entropy(out['aux'], labels, ignore_index=255)
    return loss


def images(gen, n, H, W):
    """Smooth random images (low-resolution noise upsampled) with per-image brightness, roughly ImageNet-normalised."""
    low = torch.randn(n, 3, H // 8, W // 8, generator=gen)
    x = F.interpolate(low, size=(H, W), mode='bilinear', align_corners=False)
    return x + 0.3 * torch.randn(n, 3, H, W, generator=gen) + torch.randn(n, 1, 1, 1, generator=gen) * 0.5


def write(out_dir, name, tensors):
    index, chunks, offset = [], [], 0
    for key, t in tensors.items():
        a = np.ascontiguousarray(t.detach().cpu().numpy().astype('<f4'))
        index.append({'name': key, 'dtype': str(t.dtype).replace('torch.', ''), 'shape': list(t.shape), 'offset': offset})
        chunks.append(a.tobytes())
        offset += a.size
    with open(os.path.join(out_dir, name + '.bin'), 'wb') as f:
        f.write(b''.join(chunks))
    with open(os.path.join(out_dir, name + '.json'), 'w') as f:
        json.dump(index, f)


def main():
    arch, out_dir = sys.argv[1], sys.argv[2]
    H, W = (int(sys.argv[3]), int(sys.argv[4])) if len(sys.argv) > 4 else (212, 276)
    eval_only = len(sys.argv) > 5 and sys.argv[5] == 'eval-only'
    if arch not in ARCHS:
        sys.exit(f'unknown arch {arch}; allowed: {", ".join(ARCHS)}')
    torch.manual_seed(0)
    torch.set_num_threads(1)
    gen = torch.Generator().manual_seed(1)
    model = build(arch)
    # BN affine parameters away from 1/0 so the test sees them used.
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5, generator=gen)
                m.bias.normal_(0, 0.2, generator=gen)
        model.train()
        for _ in range(4):
            model(images(gen, N, H, W))
    model.eval()
    state = {k: v.clone() for k, v in model.state_dict().items()}
    x = images(gen, N, H, W)
    labels = torch.randint(0, CLASSES, (N, H, W), generator=gen)
    labels[torch.rand(N, H, W, generator=gen) < 0.1] = 255
    golden = {'x': x, 'labels': labels.float()}
    with torch.no_grad():
        feats = model.backbone(x)
        if arch.startswith('lraspp'):
            golden['logits'] = model.classifier(feats)
        else:
            golden['logits'] = model.classifier(feats['out'])
            golden['aux_logits'] = model.aux_classifier(feats['aux'])
            # The studio's clustering embedding: the backbone's last stage, globally average-pooled.
            golden['embed'] = feats['out'].mean((2, 3))
        golden['out'] = model(x)['out']
    if eval_only:
        write(out_dir, 'state', state)
        torch.save(state, os.path.join(out_dir, 'model.pth'))
        write(out_dir, 'golden', golden)
        return
    # Dropout (DeepLabV3's ASPP projection and FCN head) draws random masks; off for the training step.
    for m in model.modules():
        if isinstance(m, torch.nn.Dropout):
            m.p = 0.0
    # The training step runs in float64: its loss and gradients are the exact values a float32 implementation
    # (tfjs, and PyTorch's own float32 run, recorded as f32grad: for the report) is compared against.
    f32 = copy.deepcopy(model)
    if arch in FROZEN_BN_STEP:
        for name, m in (('frozen_', copy.deepcopy(model).double()), ('frozen_f32', copy.deepcopy(model))):
            m.eval()
            frozen_loss = loss_of(m(x.double() if name == 'frozen_' else x), labels)
            frozen_loss.backward()
            if name == 'frozen_':
                golden['frozen_loss'] = frozen_loss.detach().reshape(1)
            frozen_params = dict(m.named_parameters())
            for k in GRADS[arch]:
                golden[name + 'grad:' + k] = frozen_params[k].grad
    model.double()
    model.train()
    model.zero_grad()
    loss = loss_of(model(x.double()), labels)
    loss.backward()
    golden['loss'] = loss.detach().reshape(1)
    params = dict(model.named_parameters())
    for k in GRADS[arch]:
        golden['grad:' + k] = params[k].grad
    after = model.state_dict()
    for k in RUNNING[arch]:
        golden['after:' + k] = after[k]
    f32.train()
    loss_of(f32(x), labels).backward()
    params32 = dict(f32.named_parameters())
    for k in GRADS[arch]:
        golden['f32grad:' + k] = params32[k].grad
    write(out_dir, 'state', state)
    torch.save(state, os.path.join(out_dir, 'model.pth'))
    write(out_dir, 'golden', golden)


if __name__ == '__main__':
    main()
