/**
 * The state-dict layout (every key and its PyTorch shape) of each architecture the studio imports, built
 * from the architectures' definitions: torchvision 0.14's segmentation models and ImageNet backbones, and
 * the PSS authors' released network (PSP-ResNet-50 with a deep stem, aux head and group context; module
 * names from their code: encoder.base/layer4/psp, aux_decoder, conv3x3_ocr, group_md, main_decoder).
 * Pure data; detection compares a state dict against these key by key.
 */

export type TorchArch =
  | 'lraspp_mobilenet_v3_large'
  | 'deeplabv3_mobilenet_v3_large'
  | 'deeplabv3_resnet50'
  | 'deeplabv3_resnet101'
  | 'fcn_resnet50'
  | 'pss_psp_resnet50'
  | 'resnet50'
  | 'mobilenet_v3_large'

export const TORCH_ARCHS: readonly TorchArch[] = [
  'lraspp_mobilenet_v3_large',
  'deeplabv3_mobilenet_v3_large',
  'deeplabv3_resnet50',
  'deeplabv3_resnet101',
  'fcn_resnet50',
  'pss_psp_resnet50',
  'resnet50',
  'mobilenet_v3_large',
]

/** ImageNet classification backbones (1000 classes), used to initialise a source model. */
export const BACKBONE_ARCHS: readonly TorchArch[] = ['resnet50', 'mobilenet_v3_large']

export type ShapeSpec = Map<string, number[]>

/** BatchNorm2d's parameters and buffers. `num_batches_tracked` is optional (older checkpoints lack it). */
function bn(spec: ShapeSpec, prefix: string, c: number): void {
  for (const k of ['weight', 'bias', 'running_mean', 'running_var']) spec.set(`${prefix}.${k}`, [c])
  spec.set(`${prefix}.num_batches_tracked`, [])
}

export function isOptionalKey(key: string): boolean {
  return key.endsWith('.num_batches_tracked')
}

/** Buffers (not parameters): excluded from the parameter count, as `model.parameters()` excludes them. */
export function isBufferKey(key: string): boolean {
  return /\.(running_mean|running_var|num_batches_tracked)$/.test(key)
}

// ---- ResNet (torchvision Bottleneck; the deep-stem variant changes only the stem) ----

function resnetBody(
  spec: ShapeSpec,
  layerPrefix: (i: number) => string,
  blocks: number[],
  stemOut: number,
): void {
  let inplanes = stemOut
  ;[64, 128, 256, 512].forEach((planes, li) => {
    for (let b = 0; b < blocks[li]!; b++) {
      const p = `${layerPrefix(li + 1)}.${b}`
      spec.set(`${p}.conv1.weight`, [planes, inplanes, 1, 1])
      bn(spec, `${p}.bn1`, planes)
      spec.set(`${p}.conv2.weight`, [planes, planes, 3, 3])
      bn(spec, `${p}.bn2`, planes)
      spec.set(`${p}.conv3.weight`, [planes * 4, planes, 1, 1])
      bn(spec, `${p}.bn3`, planes * 4)
      if (b === 0) {
        spec.set(`${p}.downsample.0.weight`, [planes * 4, inplanes, 1, 1])
        bn(spec, `${p}.downsample.1`, planes * 4)
      }
      inplanes = planes * 4
    }
  })
}

function torchvisionResnet(spec: ShapeSpec, prefix: string, blocks: number[]): void {
  spec.set(`${prefix}conv1.weight`, [64, 3, 7, 7])
  bn(spec, `${prefix}bn1`, 64)
  resnetBody(spec, (i) => `${prefix}layer${i}`, blocks, 64)
}

// ---- MobileNetV3-Large (torchvision `features`) ----

/** [input, kernel, expanded, output, squeeze-excite] per inverted residual block, features.1 … features.15. */
const MBV3_LARGE: readonly [number, number, number, number, boolean][] = [
  [16, 3, 16, 16, false],
  [16, 3, 64, 24, false],
  [24, 3, 72, 24, false],
  [24, 5, 72, 40, true],
  [40, 5, 120, 40, true],
  [40, 5, 120, 40, true],
  [40, 3, 240, 80, false],
  [80, 3, 200, 80, false],
  [80, 3, 184, 80, false],
  [80, 3, 184, 80, false],
  [80, 3, 480, 112, true],
  [112, 3, 672, 112, true],
  [112, 5, 672, 160, true],
  [160, 5, 960, 160, true],
  [160, 5, 960, 160, true],
]

/** torchvision's _make_divisible(v, 8). */
function makeDivisible(v: number, divisor = 8): number {
  let n = Math.max(divisor, Math.floor((v + divisor / 2) / divisor) * divisor)
  if (n < 0.9 * v) n += divisor
  return n
}

function mobilenetV3Features(spec: ShapeSpec, prefix: string): void {
  spec.set(`${prefix}0.0.weight`, [16, 3, 3, 3])
  bn(spec, `${prefix}0.1`, 16)
  MBV3_LARGE.forEach(([cin, k, exp, cout, se], i) => {
    const p = `${prefix}${i + 1}.block`
    let j = 0
    if (exp !== cin) {
      spec.set(`${p}.${j}.0.weight`, [exp, cin, 1, 1])
      bn(spec, `${p}.${j}.1`, exp)
      j++
    }
    spec.set(`${p}.${j}.0.weight`, [exp, 1, k, k])
    bn(spec, `${p}.${j}.1`, exp)
    j++
    if (se) {
      const sq = makeDivisible(Math.floor(exp / 4))
      spec.set(`${p}.${j}.fc1.weight`, [sq, exp, 1, 1])
      spec.set(`${p}.${j}.fc1.bias`, [sq])
      spec.set(`${p}.${j}.fc2.weight`, [exp, sq, 1, 1])
      spec.set(`${p}.${j}.fc2.bias`, [exp])
      j++
    }
    spec.set(`${p}.${j}.0.weight`, [cout, exp, 1, 1])
    bn(spec, `${p}.${j}.1`, cout)
  })
  spec.set(`${prefix}16.0.weight`, [960, 160, 1, 1])
  bn(spec, `${prefix}16.1`, 960)
}

// ---- Heads ----

function deeplabHead(spec: ShapeSpec, p: string, cin: number, classes: number): void {
  spec.set(`${p}.0.convs.0.0.weight`, [256, cin, 1, 1])
  bn(spec, `${p}.0.convs.0.1`, 256)
  for (const i of [1, 2, 3]) {
    spec.set(`${p}.0.convs.${i}.0.weight`, [256, cin, 3, 3])
    bn(spec, `${p}.0.convs.${i}.1`, 256)
  }
  spec.set(`${p}.0.convs.4.1.weight`, [256, cin, 1, 1])
  bn(spec, `${p}.0.convs.4.2`, 256)
  spec.set(`${p}.0.project.0.weight`, [256, 5 * 256, 1, 1])
  bn(spec, `${p}.0.project.1`, 256)
  spec.set(`${p}.1.weight`, [256, 256, 3, 3])
  bn(spec, `${p}.2`, 256)
  spec.set(`${p}.4.weight`, [classes, 256, 1, 1])
  spec.set(`${p}.4.bias`, [classes])
}

function fcnHead(spec: ShapeSpec, p: string, cin: number, classes: number): void {
  const inter = Math.floor(cin / 4)
  spec.set(`${p}.0.weight`, [inter, cin, 3, 3])
  bn(spec, `${p}.1`, inter)
  spec.set(`${p}.4.weight`, [classes, inter, 1, 1])
  spec.set(`${p}.4.bias`, [classes])
}

function pssNetwork(spec: ShapeSpec, classes: number): void {
  const stem = 'encoder.base.0.0'
  spec.set(`${stem}.conv1.weight`, [64, 3, 3, 3])
  bn(spec, `${stem}.bn1`, 64)
  spec.set(`${stem}.conv2.weight`, [64, 64, 3, 3])
  bn(spec, `${stem}.bn2`, 64)
  spec.set(`${stem}.conv3.weight`, [128, 64, 3, 3])
  bn(spec, `${stem}.bn3`, 128)
  resnetBody(spec, (i) => (i === 4 ? 'encoder.layer4' : `encoder.base.${i}`), [3, 4, 6, 3], 128)
  for (let s = 0; s < 4; s++) {
    spec.set(`encoder.psp.stages.${s}.1.weight`, [512, 2048, 1, 1])
    bn(spec, `encoder.psp.stages.${s}.2`, 512)
  }
  spec.set('encoder.psp.bottleneck.0.weight', [512, 4096, 3, 3])
  bn(spec, 'encoder.psp.bottleneck.1', 512)
  spec.set('aux_decoder.0.weight', [1024, 1024, 1, 1])
  bn(spec, 'aux_decoder.1', 1024)
  spec.set('aux_decoder.3.weight', [classes, 1024, 1, 1])
  spec.set('aux_decoder.3.bias', [classes])
  // Present in the released model though its forward pass never uses it.
  spec.set('conv3x3_ocr.0.weight', [512, 2048, 3, 3])
  bn(spec, 'conv3x3_ocr.1', 512)
  const ocb = 'group_md.ocr_update.object_context_block'
  for (const f of ['f_pixel', 'f_object']) {
    spec.set(`${ocb}.${f}.0.weight`, [256, 512, 1, 1])
    bn(spec, `${ocb}.${f}.1.0`, 256)
    spec.set(`${ocb}.${f}.2.weight`, [256, 256, 1, 1])
    bn(spec, `${ocb}.${f}.3.0`, 256)
  }
  spec.set(`${ocb}.f_down.0.weight`, [256, 512, 1, 1])
  bn(spec, `${ocb}.f_down.1.0`, 256)
  spec.set(`${ocb}.f_up.0.weight`, [512, 256, 1, 1])
  bn(spec, `${ocb}.f_up.1.0`, 512)
  spec.set('group_md.ocr_update.conv_bn_dropout.0.weight', [512, 1024, 1, 1])
  bn(spec, 'group_md.ocr_update.conv_bn_dropout.1.0', 512)
  spec.set('main_decoder.conv1x1.weight', [classes, 512, 1, 1])
}

/** Every key and shape of `arch` with `classes` outputs (and the aux head where `hasAux`). */
export function architectureSpec(arch: TorchArch, classes: number, hasAux: boolean): ShapeSpec {
  const spec: ShapeSpec = new Map()
  switch (arch) {
    case 'lraspp_mobilenet_v3_large':
      mobilenetV3Features(spec, 'backbone.')
      spec.set('classifier.cbr.0.weight', [128, 960, 1, 1])
      bn(spec, 'classifier.cbr.1', 128)
      spec.set('classifier.scale.1.weight', [128, 960, 1, 1])
      spec.set('classifier.low_classifier.weight', [classes, 40, 1, 1])
      spec.set('classifier.low_classifier.bias', [classes])
      spec.set('classifier.high_classifier.weight', [classes, 128, 1, 1])
      spec.set('classifier.high_classifier.bias', [classes])
      break
    case 'deeplabv3_mobilenet_v3_large':
      mobilenetV3Features(spec, 'backbone.')
      deeplabHead(spec, 'classifier', 960, classes)
      if (hasAux) fcnHead(spec, 'aux_classifier', 40, classes)
      break
    case 'deeplabv3_resnet50':
    case 'deeplabv3_resnet101':
      torchvisionResnet(spec, 'backbone.', arch === 'deeplabv3_resnet50' ? [3, 4, 6, 3] : [3, 4, 23, 3])
      deeplabHead(spec, 'classifier', 2048, classes)
      if (hasAux) fcnHead(spec, 'aux_classifier', 1024, classes)
      break
    case 'fcn_resnet50':
      torchvisionResnet(spec, 'backbone.', [3, 4, 6, 3])
      fcnHead(spec, 'classifier', 2048, classes)
      if (hasAux) fcnHead(spec, 'aux_classifier', 1024, classes)
      break
    case 'pss_psp_resnet50':
      pssNetwork(spec, classes)
      break
    case 'resnet50':
      torchvisionResnet(spec, '', [3, 4, 6, 3])
      spec.set('fc.weight', [classes, 2048])
      spec.set('fc.bias', [classes])
      break
    case 'mobilenet_v3_large':
      mobilenetV3Features(spec, 'features.')
      spec.set('classifier.0.weight', [1280, 960])
      spec.set('classifier.0.bias', [1280])
      spec.set('classifier.3.weight', [classes, 1280])
      spec.set('classifier.3.bias', [classes])
      break
  }
  return spec
}

/** The key whose first dimension is the class count (the final classifier). */
export const CLASSIFIER_KEY: Readonly<Record<TorchArch, string>> = {
  lraspp_mobilenet_v3_large: 'classifier.high_classifier.weight',
  deeplabv3_mobilenet_v3_large: 'classifier.4.weight',
  deeplabv3_resnet50: 'classifier.4.weight',
  deeplabv3_resnet101: 'classifier.4.weight',
  fcn_resnet50: 'classifier.4.weight',
  pss_psp_resnet50: 'main_decoder.conv1x1.weight',
  resnet50: 'fc.weight',
  mobilenet_v3_large: 'classifier.3.weight',
}

/** Architectures with an optional aux head, and the key that shows it. */
export const AUX_KEY: Readonly<Partial<Record<TorchArch, string>>> = {
  deeplabv3_mobilenet_v3_large: 'aux_classifier.4.weight',
  deeplabv3_resnet50: 'aux_classifier.4.weight',
  deeplabv3_resnet101: 'aux_classifier.4.weight',
  fcn_resnet50: 'aux_classifier.4.weight',
  pss_psp_resnet50: 'aux_decoder.3.weight',
}
