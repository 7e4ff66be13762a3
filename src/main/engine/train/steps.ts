/**
 * One training iteration, for the supervised baseline and for ADVENT's adversarial entropy adaptation
 * (docs/method.md §4). Each function runs one forward + backward pass and one optimiser update, and returns the
 * loss values as numbers; it leaves no tensors behind.
 */
import * as tf from '@tensorflow/tfjs'
import { bceWithLogits, crossEntropyIgnore, entropyMap } from '../losses'
import type { Discriminator } from '../models/discriminator'
import { upsampleLogits, type SegmentationModel } from '../models/segnet'
import type { NamedGrads, Adam, SgdMomentum } from './optimizers'

export interface LabelledBatch {
  /** Normalised images [N,H,W,3]. */
  images: tf.Tensor4D
  /** Class indices [N,H,W] int32, 255 = ignore. */
  labels: tf.Tensor3D
}

/** Gradients of `f` w.r.t. the named variables, keyed by those names (tfjs keys them by its own ids). */
export function namedGrads(
  f: () => tf.Scalar,
  vars: Record<string, tf.Variable>,
): { value: tf.Scalar; grads: NamedGrads } {
  const list = Object.entries(vars)
  const { value, grads } = tf.variableGrads(
    f,
    list.map(([, v]) => v),
  )
  const out: NamedGrads = {}
  for (const [name, v] of list) {
    const g = grads[v.name]
    if (g) out[name] = g
  }
  return { value, grads: out }
}

function scalarValue(t: tf.Tensor): number {
  return t.dataSync()[0] as number
}

/** Main + 0.4·aux cross-entropy on logits upsampled to the label size (paper: ×8 bilinear). */
export function segmentationLoss(
  model: SegmentationModel,
  batch: LabelledBatch,
  auxWeight: number,
  keep?: { main?: (t: tf.Tensor4D) => void; aux?: (t: tf.Tensor4D) => void; parts?: tf.Scalar[] },
): tf.Scalar {
  const [, h, w] = batch.images.shape
  const o = model.forward(batch.images, true)
  const upMain = upsampleLogits(o.main, h, w)
  keep?.main?.(upMain)
  const ceMain = crossEntropyIgnore(upMain, batch.labels)
  keep?.parts?.push(tf.keep(ceMain))
  if (!o.aux || auxWeight === 0) return ceMain
  const upAux = upsampleLogits(o.aux, h, w)
  keep?.aux?.(upAux)
  const ceAux = crossEntropyIgnore(upAux, batch.labels)
  keep?.parts?.push(tf.keep(ceAux))
  return ceMain.add(ceAux.mul(auxWeight)) as tf.Scalar
}

export interface SupervisedResult {
  loss: number
  ceMain: number
  ceAux: number
}

export function supervisedStep(
  model: SegmentationModel,
  opt: SgdMomentum,
  batch: LabelledBatch,
  lr: number,
  auxWeight = 0.4,
): SupervisedResult {
  const parts: tf.Scalar[] = []
  const vars = model.params.trainableVariables()
  const { value, grads } = namedGrads(() => segmentationLoss(model, batch, auxWeight, { parts }), vars)
  opt.apply(vars, grads, lr)
  const r = {
    loss: scalarValue(value),
    ceMain: parts[0] ? scalarValue(parts[0]) : NaN,
    ceAux: parts[1] ? scalarValue(parts[1]) : 0,
  }
  tf.dispose([value, ...Object.values(grads), ...parts])
  return r
}

export interface AdventWeights {
  aux: number
  advMain: number
  advAux: number
}

/** docs/method.md §4: 1.0·CE + 0.4·CE_aux; adversarial 0.001 (main) and 0.0002 (aux). */
export const ADVENT_WEIGHTS: AdventWeights = { aux: 0.4, advMain: 0.001, advAux: 0.0002 }

export const SOURCE_LABEL = 0
export const TARGET_LABEL = 1

export interface AdventResult {
  seg: number
  advMain: number
  advAux: number
  dMain: number
  dAux: number
}

export interface AdventModels {
  model: SegmentationModel
  dMain: Discriminator
  /** Null to adapt the main output only. */
  dAux: Discriminator | null
}

export interface AdventOptimizers {
  seg: SgdMomentum
  dMain: Adam
  dAux: Adam | null
}

/**
 * One ADVENT iteration: (1)+(2) the segmenter minimises source CE plus the adversarial term that makes the
 * target entropy maps look like source ones to the frozen discriminators (one backward pass over the sum);
 * (3) each discriminator learns source (0) vs target (1) on the detached maps, each domain's loss halved.
 */
export function adventStep(
  m: AdventModels,
  opt: AdventOptimizers,
  source: LabelledBatch,
  target: tf.Tensor4D,
  lrSeg: number,
  lrD: number,
  w: AdventWeights = ADVENT_WEIGHTS,
): AdventResult {
  const kept: tf.Tensor[] = []
  let srcMain: tf.Tensor4D | null = null
  let srcAux: tf.Tensor4D | null = null
  let tgtMain: tf.Tensor4D | null = null
  let tgtAux: tf.Tensor4D | null = null
  const parts: tf.Scalar[] = []
  const useAux = m.dAux !== null && opt.dAux !== null
  const vars = m.model.params.trainableVariables()
  const keepMap = (t: tf.Tensor4D): tf.Tensor4D => {
    const e = tf.keep(entropyMap(t))
    kept.push(e)
    return e
  }

  const { value, grads } = namedGrads(() => {
    const seg = segmentationLoss(m.model, source, w.aux, {
      main: (t) => (srcMain = keepMap(t)),
      aux: (t) => (srcAux = useAux ? keepMap(t) : null),
    })
    parts.push(tf.keep(seg))
    const [, h, wd] = target.shape
    const o = m.model.forward(target, true)
    const iMain = entropyMap(upsampleLogits(o.main, h, wd))
    tgtMain = tf.keep(iMain)
    kept.push(tgtMain)
    const advMain = bceWithLogits(m.dMain.forward(iMain), SOURCE_LABEL)
    parts.push(tf.keep(advMain))
    let total = seg.add(advMain.mul(w.advMain))
    if (useAux && m.dAux && o.aux) {
      const iAux = entropyMap(upsampleLogits(o.aux, h, wd))
      tgtAux = tf.keep(iAux)
      kept.push(tgtAux)
      const advAux = bceWithLogits(m.dAux.forward(iAux), SOURCE_LABEL)
      parts.push(tf.keep(advAux))
      total = total.add(advAux.mul(w.advAux))
    }
    return total as tf.Scalar
  }, vars)
  opt.seg.apply(vars, grads, lrSeg)
  tf.dispose([value, ...Object.values(grads)])

  const trainD = (d: Discriminator, o: Adam, s: tf.Tensor4D, t: tf.Tensor4D): number => {
    const dv = d.params.trainableVariables()
    const r = namedGrads(
      () =>
        bceWithLogits(d.forward(s), SOURCE_LABEL)
          .mul(0.5)
          .add(bceWithLogits(d.forward(t), TARGET_LABEL).mul(0.5)) as tf.Scalar,
      dv,
    )
    o.apply(dv, r.grads, lrD)
    const v = scalarValue(r.value)
    tf.dispose([r.value, ...Object.values(r.grads)])
    return v
  }
  const dMainLoss = srcMain && tgtMain ? trainD(m.dMain, opt.dMain, srcMain, tgtMain) : NaN
  const dAuxLoss =
    useAux && m.dAux && opt.dAux && srcAux && tgtAux ? trainD(m.dAux, opt.dAux, srcAux, tgtAux) : 0
  const result: AdventResult = {
    seg: parts[0] ? scalarValue(parts[0]) : NaN,
    advMain: parts[1] ? scalarValue(parts[1]) : NaN,
    advAux: parts[2] ? scalarValue(parts[2]) : 0,
    dMain: dMainLoss,
    dAux: dAuxLoss,
  }
  tf.dispose([...kept, ...parts])
  return result
}
