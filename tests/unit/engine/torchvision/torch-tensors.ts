/**
 * Reads the tensor files written by make_torchvision_golden.py (index JSON + raw float32) and turns
 * PyTorch-layout arrays into tfjs tensors.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import type { StateDict, TorchDType } from '../../../../src/main/engine/models/torch/state-dict'

interface IndexEntry {
  name: string
  dtype: string
  shape: number[]
  offset: number
}

export interface RawTensor {
  dtype: string
  shape: number[]
  data: Float32Array
}

export function readTensorFile(dir: string, name: string): Map<string, RawTensor> {
  const index = JSON.parse(fs.readFileSync(path.join(dir, `${name}.json`), 'utf8')) as IndexEntry[]
  const buf = fs.readFileSync(path.join(dir, `${name}.bin`))
  const all = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4)
  const out = new Map<string, RawTensor>()
  for (const e of index) {
    const n = e.shape.reduce((a, b) => a * b, 1)
    out.set(e.name, { dtype: e.dtype, shape: e.shape, data: all.slice(e.offset, e.offset + n) })
  }
  return out
}

/** The state dict as the .pth reader would give it: floats as Float32Array, integers as Float64Array. */
export function asStateDict(raw: Map<string, RawTensor>): StateDict {
  const sd: StateDict = new Map()
  for (const [k, t] of raw) {
    const integer = t.dtype.startsWith('int')
    sd.set(k, {
      dtype: t.dtype as TorchDType,
      shape: t.shape,
      data: integer ? Float64Array.from(t.data) : t.data,
    })
  }
  return sd
}

/** [N,C,H,W] → tfjs [N,H,W,C]. */
export function nchwToNhwc(t: RawTensor): tf.Tensor4D {
  return tf.tidy(() =>
    tf.tensor4d(t.data, t.shape as [number, number, number, number]).transpose([0, 2, 3, 1]),
  )
}

/** max |a − b| / max |b|. */
export function relMaxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} ≠ ${b.length}`)
  let d = 0
  let s = 0
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs((a[i] as number) - (b[i] as number)))
    s = Math.max(s, Math.abs(b[i] as number))
  }
  return d / s
}
