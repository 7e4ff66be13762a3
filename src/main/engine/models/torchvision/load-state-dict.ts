/**
 * Loads a PyTorch state dict into a model built with TorchParams, by name and strictly: every key of the
 * state dict is used, every parameter/buffer of the model is given, shapes agree and values are finite —
 * otherwise one error lists every mismatch and nothing is loaded (the model keeps its values).
 */
import * as tf from '@tensorflow/tfjs'
import { numel, type StateDict, type TorchTensor } from '../torch/state-dict'
import { torchShapeOf, type TorchLayout, type TorchParams } from './torch-layers'

/** Torch-order values → tfjs-order values for one tensor (pure; `torchShape` already checked). */
export function torchToTfjsValues(
  data: Float32Array | Float64Array,
  torchShape: readonly number[],
  layout: TorchLayout,
): Float32Array {
  if (layout === 'vector' || layout === 'scalar') return Float32Array.from(data)
  const [o, i, kh, kw] = torchShape as [number, number, number, number]
  const out = new Float32Array(data.length)
  if (layout === 'conv') {
    // [O,I,kh,kw] → [kh,kw,I,O]
    for (let a = 0; a < o; a++)
      for (let b = 0; b < i; b++)
        for (let y = 0; y < kh; y++)
          for (let x = 0; x < kw; x++)
            out[((y * kw + x) * i + b) * o + a] = data[((a * i + b) * kh + y) * kw + x] as number
    return out
  }
  // depthwise [C,1,kh,kw] → [kh,kw,C,1]
  for (let c = 0; c < o; c++)
    for (let y = 0; y < kh; y++)
      for (let x = 0; x < kw; x++) out[(y * kw + x) * o + c] = data[(c * kh + y) * kw + x] as number
  return out
}

const LIST_LIMIT = 12

function listed(title: string, items: string[]): string | null {
  if (items.length === 0) return null
  const shown = items.slice(0, LIST_LIMIT).join(', ')
  const more = items.length > LIST_LIMIT ? `, … (${items.length - LIST_LIMIT} more)` : ''
  return `${items.length} ${title}: ${shown}${more}`
}

function firstNonFinite(t: TorchTensor): number {
  for (let i = 0; i < t.data.length; i++) if (!Number.isFinite(t.data[i] as number)) return i
  return -1
}

/**
 * Checks `sd` against the model's keys and shapes and assigns every value. `source` (a file name) and
 * `arch` head the error message.
 */
export function loadTorchStateDict(tp: TorchParams, sd: StateDict, source: string, arch: string): void {
  const missing: string[] = []
  const shapes: string[] = []
  const nonFinite: string[] = []
  const modelKeys = tp.keys()
  const planned: Array<{ key: string; values: Float32Array }> = []
  for (const key of modelKeys) {
    const t = sd.get(key)
    if (!t) {
      missing.push(key)
      continue
    }
    const layout = tp.layout(key) as TorchLayout
    const v = tp.store.variable(key)
    const want = torchShapeOf(v.shape, layout)
    if (want.join() !== t.shape.join() || numel(t.shape) !== t.data.length) {
      shapes.push(`${key} is [${t.shape.join(', ')}], expected [${want.join(', ')}]`)
      continue
    }
    const bad = firstNonFinite(t)
    if (bad >= 0) {
      nonFinite.push(`${key}[${bad}] = ${t.data[bad]}`)
      continue
    }
    planned.push({ key, values: torchToTfjsValues(t.data, t.shape, layout) })
  }
  const known = new Set(modelKeys)
  const unexpected = [...sd.keys()].filter((k) => !known.has(k))
  const problems = [
    listed('missing keys', missing),
    listed('unexpected keys', unexpected),
    listed('shape mismatches', shapes),
    listed('non-finite values', nonFinite),
  ].filter((p): p is string => p !== null)
  if (problems.length > 0) {
    throw new Error(`${source}: not a ${arch} state dict — ${problems.join('; ')}`)
  }
  for (const { key, values } of planned) {
    const v = tp.store.variable(key)
    tf.tidy(() => v.assign(tf.tensor(values, v.shape, 'float32')))
  }
}
