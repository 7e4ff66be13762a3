/**
 * One iteration of each adaptation method (docs/method.md §4, §5, §7), as pure functions in the style of
 * train/steps.ts: one forward/backward pass of the segmenter over the sum of its loss terms and one SGD
 * update, then (for adversarial methods) one Adam update of each discriminator on the detached maps.
 * Each returns its loss terms as numbers (`total` = the segmenter objective) and leaves no tensors behind.
 * Target images are unlabelled album images; pseudo batches carry pseudo labels (255 = unselected).
 */
import * as tf from '@tensorflow/tfjs'
import {
  bceWithLogits,
  crossEntropyIgnore,
  entropyMap,
  imageWiseMaxSquareLoss,
  maxSquareGuidanceLabels,
  maxSquareLoss,
  meanEntropy,
  memoryKl,
  rectifiedCrossEntropy,
  robustEntropy,
} from '../losses'
import type { Discriminator } from '../models/discriminator'
import { upsampleLogits, type SegmentationModel } from '../models/segnet'
import type { Adam, SgdMomentum } from '../train/optimizers'
import { namedGrads, segmentationLoss, SOURCE_LABEL, TARGET_LABEL, type LabelledBatch } from '../train/steps'
import type { MethodConfig, MethodOf } from './registry'

export interface AdaptModels {
  model: SegmentationModel
  dMain: Discriminator | null
  dAux: Discriminator | null
}

export interface AdaptOptimizers {
  seg: SgdMomentum
  dMain: Adam | null
  dAux: Adam | null
}

export interface AdaptBatch {
  /** Labelled source images (normalised; FDA's swap already applied). */
  source: LabelledBatch
  /** Unlabelled target images (normalised), or null for source-only methods. */
  target: tf.Tensor4D | null
  /** Pseudo-labelled target images, on the iterations that use them. */
  pseudo: LabelledBatch | null
}

export interface StepRates {
  seg: number
  d: number
}

/** Loss terms by name; `total` is the segmenter's objective. */
export type StepLosses = Record<string, number>

type Parts = Map<string, tf.Scalar>

interface TargetOut {
  main: tf.Tensor4D
  aux: tf.Tensor4D | null
}

function forwardUp(model: SegmentationModel, x: tf.Tensor4D): TargetOut {
  const [, h, w] = x.shape
  const o = model.forward(x, true)
  return { main: upsampleLogits(o.main, h, w), aux: o.aux ? upsampleLogits(o.aux, h, w) : null }
}

function put(parts: Parts, name: string, t: tf.Scalar): tf.Scalar {
  parts.set(name, tf.keep(t))
  return t
}

/**
 * Runs `objective` under the segmenter's gradient tape, applies SGD, and returns every recorded part as a
 * number (plus `total`). Everything the objective kept is released.
 */
function segmenterUpdate(
  m: AdaptModels,
  opt: AdaptOptimizers,
  lr: number,
  objective: (parts: Parts) => tf.Scalar,
): StepLosses {
  const parts: Parts = new Map()
  const vars = m.model.params.trainableVariables()
  const { value, grads } = namedGrads(() => objective(parts), vars)
  opt.seg.apply(vars, grads, lr)
  const out: StepLosses = { total: value.dataSync()[0] as number }
  for (const [k, t] of parts) out[k] = t.dataSync()[0] as number
  tf.dispose([value, ...Object.values(grads), ...parts.values()])
  return out
}

/** Source CE (main + aux·CE_aux); records `seg`. */
function sourceTerm(
  m: AdaptModels,
  b: AdaptBatch,
  auxWeight: number,
  parts: Parts,
  keep?: SourceKeep,
): tf.Scalar {
  return put(parts, 'seg', segmentationLoss(m.model, b.source, auxWeight, keep))
}

type SourceKeep = { main?: (t: tf.Tensor4D) => void; aux?: (t: tf.Tensor4D) => void }

function needTarget(b: AdaptBatch, kind: string): tf.Tensor4D {
  if (!b.target) throw new Error(`${kind}: this method needs a target batch`)
  return b.target
}

/** One discriminator update: source maps → 0, target maps → 1, each domain's BCE halved. */
function discriminatorUpdate(d: Discriminator, o: Adam, s: tf.Tensor4D, t: tf.Tensor4D, lr: number): number {
  const dv = d.params.trainableVariables()
  const r = namedGrads(
    () =>
      bceWithLogits(d.forward(s), SOURCE_LABEL)
        .mul(0.5)
        .add(bceWithLogits(d.forward(t), TARGET_LABEL).mul(0.5)) as tf.Scalar,
    dv,
  )
  o.apply(dv, r.grads, lr)
  const v = r.value.dataSync()[0] as number
  tf.dispose([r.value, ...Object.values(r.grads)])
  return v
}

/** No-DA: source cross-entropy only. */
export function nodaStep(
  m: AdaptModels,
  opt: AdaptOptimizers,
  b: AdaptBatch,
  r: StepRates,
  c: MethodOf<'noda'>,
): StepLosses {
  return segmenterUpdate(m, opt, r.seg, (p) => sourceTerm(m, b, c.sourceAux, p))
}

/**
 * The BatchNorm-only control: the source CE step, with the target batch forwarded in training mode inside
 * the same objective (before the update, where every DA row forwards it) so BatchNorm's running statistics
 * move exactly as in a DA row's step. Its output is not part of the loss: the gradient, hence the weights'
 * update, is the source-only step's.
 */
export function bnOnlyStep(
  m: AdaptModels,
  opt: AdaptOptimizers,
  b: AdaptBatch,
  r: StepRates,
  c: MethodOf<'bn-only'>,
): StepLosses {
  const target = needTarget(b, 'bn-only')
  return segmenterUpdate(m, opt, r.seg, (p) => {
    const total = sourceTerm(m, b, c.sourceAux, p)
    m.model.forward(target, true)
    return total
  })
}

/** ADVENT MinEnt: source CE + λ_main·entropy(main) + λ_aux·entropy(aux) on the target. */
export function minentStep(
  m: AdaptModels,
  opt: AdaptOptimizers,
  b: AdaptBatch,
  r: StepRates,
  c: MethodOf<'minent'>,
): StepLosses {
  const target = needTarget(b, 'minent')
  return segmenterUpdate(m, opt, r.seg, (p) => {
    let total = sourceTerm(m, b, c.sourceAux, p)
    const o = forwardUp(m.model, target)
    total = total.add(put(p, 'entMain', meanEntropy(o.main)).mul(c.entMain))
    if (o.aux) total = total.add(put(p, 'entAux', meanEntropy(o.aux)).mul(c.entAux))
    return total as tf.Scalar
  })
}

type AdversarialMethod =
  MethodOf<'advent'> | MethodOf<'adaptseg'> | MethodOf<'pss-s1'> | MethodOf<'pss-s2'> | MethodOf<'mrnet'>

/**
 * The adversarial family: the segmenter minimises source CE + λ·BCE(D(map(target)), source) (+ extra
 * terms), then each D learns source vs target on the detached maps. `map` is the weighted
 * self-information map (ADVENT, PSS) or the softmax (AdaptSeg, MRNet's adversarial option).
 */
function adversarialStep(
  m: AdaptModels,
  opt: AdaptOptimizers,
  b: AdaptBatch,
  r: StepRates,
  c: AdversarialMethod,
  map: (logits: tf.Tensor4D) => tf.Tensor4D,
  extra?: (parts: Parts, target: TargetOut) => tf.Scalar | null,
): StepLosses {
  if (!m.dMain || !opt.dMain) throw new Error(`${c.kind}: the main discriminator is missing`)
  const target = needTarget(b, c.kind)
  const kept: tf.Tensor4D[] = []
  const keepMap = (t: tf.Tensor4D): tf.Tensor4D => {
    const e = tf.keep(map(t))
    kept.push(e)
    return e
  }
  let srcMain: tf.Tensor4D | null = null
  let srcAux: tf.Tensor4D | null = null
  let tgtMain: tf.Tensor4D | null = null
  let tgtAux: tf.Tensor4D | null = null
  const useAux = m.dAux !== null && opt.dAux !== null
  const dMain = m.dMain
  try {
    const out = segmenterUpdate(m, opt, r.seg, (p) => {
      let total = sourceTerm(m, b, c.sourceAux, p, {
        main: (t) => (srcMain = keepMap(t)),
        aux: (t) => (srcAux = useAux ? keepMap(t) : null),
      })
      const o = forwardUp(m.model, target)
      const iMain = map(o.main)
      tgtMain = tf.keep(iMain)
      kept.push(tgtMain)
      total = total.add(put(p, 'advMain', bceWithLogits(dMain.forward(iMain), SOURCE_LABEL)).mul(c.advMain))
      if (useAux && m.dAux && o.aux) {
        const iAux = map(o.aux)
        tgtAux = tf.keep(iAux)
        kept.push(tgtAux)
        total = total.add(put(p, 'advAux', bceWithLogits(m.dAux.forward(iAux), SOURCE_LABEL)).mul(c.advAux))
      }
      const e = extra?.(p, o)
      return (e ? total.add(e) : total) as tf.Scalar
    })
    if (srcMain && tgtMain) out.dMain = discriminatorUpdate(dMain, opt.dMain, srcMain, tgtMain, r.d)
    if (useAux && m.dAux && opt.dAux && srcAux && tgtAux)
      out.dAux = discriminatorUpdate(m.dAux, opt.dAux, srcAux, tgtAux, r.d)
    return out
  } finally {
    tf.dispose(kept)
  }
}

/** ADVENT AdvEnt (and PSS stage 1, whose difference is the model's group context and the batches). */
export function adventStep(
  m: AdaptModels,
  opt: AdaptOptimizers,
  b: AdaptBatch,
  r: StepRates,
  c: MethodOf<'advent'> | MethodOf<'pss-s1'>,
): StepLosses {
  return adversarialStep(m, opt, b, r, c, entropyMap)
}

/** AdaptSeg: discriminators on the softmax probabilities. */
export function adaptsegStep(
  m: AdaptModels,
  opt: AdaptOptimizers,
  b: AdaptBatch,
  r: StepRates,
  c: MethodOf<'adaptseg'>,
): StepLosses {
  return adversarialStep(m, opt, b, r, c, (l) => tf.softmax(l) as tf.Tensor4D)
}

/** L_pse = pseMain·CE(main, ŷ) + pseAux·CE(aux, ŷ) on the pseudo batch (records `pse`). */
function pseudoTerm(m: AdaptModels, pseudo: LabelledBatch, c: MethodOf<'pss-s2'>, parts: Parts): tf.Scalar {
  const auxRatio = c.pseMain > 0 ? c.pseAux / c.pseMain : 0
  return put(parts, 'pse', segmentationLoss(m.model, pseudo, auxRatio).mul(c.pseMain) as tf.Scalar)
}

/** PSS stage 2: the stage-1 objective, plus L_pse when this iteration has a pseudo batch. */
export function pssS2Step(
  m: AdaptModels,
  opt: AdaptOptimizers,
  b: AdaptBatch,
  r: StepRates,
  c: MethodOf<'pss-s2'>,
): StepLosses {
  const pseudo = b.pseudo
  return adversarialStep(m, opt, b, r, c, entropyMap, (p) => (pseudo ? pseudoTerm(m, pseudo, c, p) : null))
}

/**
 * MaxSquare: source CE + λ·(L(main) + targetAux·CE(aux, guidance)), L plain or image-wise weighted; the
 * aux term is the released "+Multi" self-produced guidance (losses/maxsquare.ts maxSquareGuidanceLabels):
 * λ_target·λ_seg·CE on the fused argmax where either branch is confident, not a max-square of the aux map.
 */
export function maxsquareStep(
  m: AdaptModels,
  opt: AdaptOptimizers,
  b: AdaptBatch,
  r: StepRates,
  c: MethodOf<'maxsquare'>,
): StepLosses {
  const target = needTarget(b, 'maxsquare')
  const loss = (l: tf.Tensor4D): tf.Scalar =>
    c.imageWise ? imageWiseMaxSquareLoss(l, c.alpha) : maxSquareLoss(l)
  return segmenterUpdate(m, opt, r.seg, (p) => {
    let total = sourceTerm(m, b, c.sourceAux, p)
    const o = forwardUp(m.model, target)
    let t = put(p, 'sqMain', loss(o.main))
    if (o.aux && c.targetAux > 0) {
      const guidance = maxSquareGuidanceLabels(o.main, o.aux)
      t = t.add(put(p, 'guideAux', crossEntropyIgnore(o.aux, guidance)).mul(c.targetAux))
    }
    total = total.add(t.mul(c.target))
    return total as tf.Scalar
  })
}

/** FDA: CE on the amplitude-swapped source (done on the host) + entWeight·robust entropy of the target. */
export function fdaStep(
  m: AdaptModels,
  opt: AdaptOptimizers,
  b: AdaptBatch,
  r: StepRates,
  c: MethodOf<'fda'>,
): StepLosses {
  const target = needTarget(b, 'fda')
  return segmenterUpdate(m, opt, r.seg, (p) => {
    const total = sourceTerm(m, b, c.sourceAux, p)
    const o = forwardUp(m.model, target)
    return total.add(put(p, 'robustEnt', robustEntropy(o.main, c.eta)).mul(c.entWeight)) as tf.Scalar
  })
}

function memoryTerm(o: TargetOut, c: MethodOf<'mrnet'>, parts: Parts): tf.Scalar | null {
  if (!o.aux) return null
  return put(parts, 'memory', memoryKl(o.main, o.aux)).mul(c.memory) as tf.Scalar
}

/**
 * MRNet stage 1: source CE + λ·memory KL on the target (with AdaptSeg's discriminators when
 * `adversarial`). Stage 2: source CE + rectified pseudo-label loss rect(main|aux) + rectifiedAux·rect(aux|main).
 */
export function mrnetStep(
  m: AdaptModels,
  opt: AdaptOptimizers,
  b: AdaptBatch,
  r: StepRates,
  c: MethodOf<'mrnet'>,
): StepLosses {
  if (c.stage === 2) {
    const pseudo = b.pseudo
    return segmenterUpdate(m, opt, r.seg, (p) => {
      let total = sourceTerm(m, b, c.sourceAux, p)
      if (!pseudo) return total
      const o = forwardUp(m.model, pseudo.images)
      if (!o.aux) throw new Error('mrnet stage 2 needs the aux head')
      const rect = rectifiedCrossEntropy(o.main, o.aux, pseudo.labels).add(
        rectifiedCrossEntropy(o.aux, o.main, pseudo.labels).mul(c.rectifiedAux),
      ) as tf.Scalar
      total = total.add(put(p, 'rectified', rect))
      return total as tf.Scalar
    })
  }
  if (c.adversarial) {
    return adversarialStep(
      m,
      opt,
      b,
      r,
      c,
      (l) => tf.softmax(l) as tf.Tensor4D,
      (p, o) => memoryTerm(o, c, p),
    )
  }
  const target = needTarget(b, 'mrnet')
  return segmenterUpdate(m, opt, r.seg, (p) => {
    const total = sourceTerm(m, b, c.sourceAux, p)
    const mem = memoryTerm(forwardUp(m.model, target), c, p)
    return (mem ? total.add(mem) : total) as tf.Scalar
  })
}

/** The step of a method config. */
export function methodStep(
  c: MethodConfig,
  m: AdaptModels,
  opt: AdaptOptimizers,
  b: AdaptBatch,
  r: StepRates,
): StepLosses {
  switch (c.kind) {
    case 'noda':
      return nodaStep(m, opt, b, r, c)
    case 'bn-only':
      return bnOnlyStep(m, opt, b, r, c)
    case 'minent':
      return minentStep(m, opt, b, r, c)
    case 'advent':
    case 'pss-s1':
      return adventStep(m, opt, b, r, c)
    case 'adaptseg':
      return adaptsegStep(m, opt, b, r, c)
    case 'maxsquare':
      return maxsquareStep(m, opt, b, r, c)
    case 'fda':
      return fdaStep(m, opt, b, r, c)
    case 'mrnet':
      return mrnetStep(m, opt, b, r, c)
    case 'pss-s2':
      return pssS2Step(m, opt, b, r, c)
    default:
      return exhaustive(c)
  }
}

function exhaustive(x: never): never {
  throw new Error(`unknown method ${JSON.stringify(x)}`)
}
