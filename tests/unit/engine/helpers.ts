/** Shared test helpers for the engine: seeded random data, backend setup and a tiny trained run. */
import * as tf from '@tensorflow/tfjs'
import { Rng } from '../../../src/main/engine/train/rng'
import { selectBackend, type BackendReport } from '../../../src/main/engine/backend'
import { parseTrainConfig, runTraining } from '../../../src/main/engine/runs'

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

/**
 * Trains a tiny real run (32-px synthetic shapes, width 16, batch 2, wasm) into `runDir` for `steps` steps,
 * checkpointing at the end only: a run folder for the tests that predict or extract features with one.
 */
export async function trainTinyRun(runDir: string, o: { seed: number; steps: number }): Promise<void> {
  await useBackend('wasm')
  const config = parseTrainConfig({
    runDir,
    seed: o.seed,
    steps: o.steps,
    batch: 2,
    size: 32,
    width: 16,
    checkpointEvery: 0,
    backend: 'wasm',
  })
  await runTraining(config, false, {
    shouldStop: () => false,
    onStarted: () => {},
    onProgress: () => {},
    onCheckpoint: () => {},
  })
}
