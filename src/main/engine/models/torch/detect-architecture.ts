/**
 * Which architecture a PyTorch state dict belongs to, from its key names and shapes: a few signature keys
 * pick the candidate, then every key and shape is compared with that architecture's full layout
 * (architecture-specs.ts), so a checkpoint that merely resembles one is refused with what differs.
 */
import {
  architectureSpec,
  AUX_KEY,
  BACKBONE_ARCHS,
  CLASSIFIER_KEY,
  isBufferKey,
  isOptionalKey,
  type TorchArch,
} from './architecture-specs'
import { numel, type StateDict } from './state-dict'

export interface DetectedArchitecture {
  arch: TorchArch
  /** Output classes of the final classifier (1000 for the ImageNet backbones). */
  classes: number
  /** Learnable parameters (BatchNorm running statistics excluded), as `sum(p.numel() for p in model.parameters())`. */
  parameterCount: number
  hasAux: boolean
  /** An ImageNet classification backbone (to initialise a source model), not a segmentation model. */
  backbone: boolean
}

export class ArchitectureError extends Error {
  override name = 'ArchitectureError'
}

/** How each candidate is recognised, also listed in the "unknown architecture" message. */
const SIGNATURES: readonly { arch: TorchArch | 'deeplabv3_resnet'; keys: string[] }[] = [
  {
    arch: 'lraspp_mobilenet_v3_large',
    keys: ['classifier.cbr.0.weight', 'classifier.low_classifier.weight'],
  },
  {
    arch: 'pss_psp_resnet50',
    keys: ['encoder.base.0.0.conv1.weight', 'encoder.psp.bottleneck.0.weight', 'main_decoder.conv1x1.weight'],
  },
  { arch: 'deeplabv3_mobilenet_v3_large', keys: ['classifier.0.convs.0.0.weight', 'backbone.0.0.weight'] },
  { arch: 'deeplabv3_resnet', keys: ['classifier.0.convs.0.0.weight', 'backbone.conv1.weight'] },
  { arch: 'fcn_resnet50', keys: ['classifier.0.weight', 'classifier.4.weight', 'backbone.conv1.weight'] },
  { arch: 'resnet50', keys: ['conv1.weight', 'layer4.0.conv1.weight', 'fc.weight'] },
  { arch: 'mobilenet_v3_large', keys: ['features.0.0.weight', 'classifier.3.weight'] },
]

function shapeText(s: readonly number[]): string {
  return `[${s.join(', ')}]`
}

function list(items: string[], max = 3): string {
  return items.slice(0, max).join('; ') + (items.length > max ? `; … (${items.length} in all)` : '')
}

function candidate(sd: StateDict): TorchArch | null {
  for (const sig of SIGNATURES) {
    if (!sig.keys.every((k) => sd.has(k))) continue
    if (sig.arch !== 'deeplabv3_resnet') return sig.arch
    // ResNet-101 has 23 blocks in layer3, ResNet-50 has 6.
    return sd.has('backbone.layer3.22.conv1.weight') ? 'deeplabv3_resnet101' : 'deeplabv3_resnet50'
  }
  return null
}

/**
 * Detects the architecture, or throws an ArchitectureError naming `source` and what was looked for / what
 * differs. The returned class count is whatever the checkpoint has; `checkImportable` judges it.
 */
export function detectArchitecture(sd: StateDict, source = 'the state dict'): DetectedArchitecture {
  const arch = candidate(sd)
  if (!arch) {
    const looked = SIGNATURES.map(
      (s) => `${s.arch === 'deeplabv3_resnet' ? 'deeplabv3_resnet50/101' : s.arch} (${s.keys.join(' + ')})`,
    )
    const found = [...sd.keys()].slice(0, 6)
    throw new ArchitectureError(
      `${source}: unknown architecture: looked for ${looked.join(', ')}; found keys like ${found.join(', ')}` +
        `${sd.size > 6 ? ', …' : ''} (${sd.size} tensors)`,
    )
  }
  const cls = sd.get(CLASSIFIER_KEY[arch])!
  if (cls.shape.length < 1 || cls.shape[0]! < 1)
    throw new ArchitectureError(
      `${source}: ${CLASSIFIER_KEY[arch]} has shape ${shapeText(cls.shape)}, not a classifier`,
    )
  const classes = cls.shape[0]!
  const auxKey = AUX_KEY[arch]
  const hasAux = arch === 'pss_psp_resnet50' || (auxKey !== undefined && sd.has(auxKey))
  const spec = architectureSpec(arch, classes, hasAux)

  const mismatched: string[] = []
  const missing: string[] = []
  const unexpected: string[] = []
  for (const [key, shape] of spec) {
    const t = sd.get(key)
    if (!t) {
      if (!isOptionalKey(key)) missing.push(key)
    } else if (t.shape.length !== shape.length || t.shape.some((n, i) => n !== shape[i]))
      mismatched.push(`${key} is ${shapeText(t.shape)}, expected ${shapeText(shape)}`)
  }
  for (const key of sd.keys()) if (!spec.has(key)) unexpected.push(key)
  if (mismatched.length || missing.length || unexpected.length) {
    const parts: string[] = []
    if (mismatched.length)
      parts.push(`${mismatched.length} tensor(s) have other shapes (${list(mismatched)})`)
    if (missing.length) parts.push(`${missing.length} missing (${list(missing)})`)
    if (unexpected.length) parts.push(`${unexpected.length} unexpected (${list(unexpected)})`)
    throw new ArchitectureError(
      `${source}: its keys look like ${arch} with ${classes} classes${hasAux ? ' and an aux head' : ''}, but it does not ` +
        `match that architecture: ${parts.join('; ')}`,
    )
  }

  let parameterCount = 0
  for (const [key, t] of sd) if (!isBufferKey(key)) parameterCount += numel(t.shape)
  return { arch, classes, parameterCount, hasAux, backbone: BACKBONE_ARCHS.includes(arch) }
}

/** Classes of every segmentation model the studio trains and scores: PASCAL VOC's, in VOC order. */
export const VOC_CLASS_COUNT = 21

/**
 * Whether a detected checkpoint can become a source model (or, for a backbone, initialise one): VOC's 21
 * classes for segmentation models, and only finite weights. Throws an ArchitectureError naming `source`.
 */
export function checkImportable(
  sd: StateDict,
  detected: DetectedArchitecture,
  source = 'the state dict',
): void {
  if (!detected.backbone && detected.classes !== VOC_CLASS_COUNT)
    throw new ArchitectureError(
      `${source}: ${detected.arch} with ${detected.classes} classes; the studio's models predict the ` +
        `${VOC_CLASS_COUNT} PASCAL VOC classes (background + 20, in VOC order), so it cannot be used as a source model`,
    )
  for (const [key, t] of sd) {
    const d = t.data
    let bad = 0
    let first = -1
    for (let i = 0; i < d.length; i++)
      if (!Number.isFinite(d[i]!)) {
        if (first < 0) first = i
        bad++
      }
    if (bad)
      throw new ArchitectureError(
        `${source}: tensor ${key} holds ${bad} NaN or infinite value(s) (first at flat index ${first}); ` +
          'the checkpoint is damaged or its training diverged',
      )
  }
}
