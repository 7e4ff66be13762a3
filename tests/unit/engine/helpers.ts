/** Shared test helpers for the engine: seeded random data and backend setup. */
import * as tf from '@tensorflow/tfjs'
import { Rng } from '../../../src/main/engine/train/rng'
import { selectBackend, type BackendReport } from '../../../src/main/engine/backend'

export function randomValues(rng: Rng, n: number): Float64Array {
  const a = new Float64Array(n)
  for (let i = 0; i < n; i++) a[i] = rng.uniform(-1, 1)
  return a
}

export function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1)
}

export function tensorFrom(values: Float64Array, shape: number[]): tf.Tensor {
  return tf.tensor(Float32Array.from(values), shape, 'float32')
}

/** Float64 copy of float32 data (what the reference should be fed, so both see identical inputs). */
export function asF64(values: Float64Array): Float64Array {
  return Float64Array.from(Float32Array.from(values))
}

export async function useBackend(name: 'wasm' | 'cpu'): Promise<BackendReport> {
  return selectBackend({ force: name, env: {} })
}

/**
 * Asserts `fn` leaves both the engine's tensor count and the backend's data-id count unchanged (the latter
 * catches intermediates a composite kernel forgot to release). `fn` must dispose what it creates.
 */
export async function expectNoLeak<T>(fn: () => T | Promise<T>): Promise<T> {
  const before = tf.memory().numTensors
  const idsBefore = tf.engine().backend.numDataIds()
  const out = await fn()
  const after = tf.memory().numTensors
  const idsAfter = tf.engine().backend.numDataIds()
  if (after !== before) throw new Error(`tensor leak: ${before} tensors before, ${after} after`)
  if (idsAfter !== idsBefore)
    throw new Error(`backend data leak: ${idsBefore} data ids before, ${idsAfter} after`)
  return out
}
