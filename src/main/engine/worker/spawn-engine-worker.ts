/**
 * Starts the engine's worker entry (engine-worker.ts) in a `worker_threads` Worker, from the built bundle
 * or from the TypeScript sources. Kept free of tfjs imports: the main process and the CLI use it to reach
 * the engine without loading tfjs (and its wasm) on their own thread.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { isMainThread, Worker, workerData as inheritedData } from 'node:worker_threads'

export const WORKER_BASENAME = 'engine-worker'
/** The data loader's entry (no tfjs): decodes and augments batches for a training thread. */
export const DATA_WORKER_BASENAME = 'data-worker'

/**
 * The worker entry. Built app: electron-vite bundles src/main/engine/worker/engine-worker.ts as the
 * main-bundle entry `engine-worker` → out/main/engine-worker.js, next to this code's bundle (or one
 * folder up when this code lands in out/main/chunks/). From sources (Vitest, tsx) the .ts entry beside
 * this file is loaded through tsx's in-thread require hook: Node 20 does not apply `--import tsx` module
 * hooks inside worker threads ("Unknown file extension .ts"), so a two-line eval bootstrap registers the
 * hook in the worker and then requires the entry.
 */
export function resolveWorkerEntry(
  override?: string,
  basename: string = WORKER_BASENAME,
): { file: string; code: string; eval: boolean } {
  const here = path.dirname(fileURLToPath(import.meta.url))
  const candidates = override
    ? [override]
    : [
        path.join(here, `${basename}.js`),
        path.join(here, '..', `${basename}.js`),
        path.join(here, `${basename}.ts`),
      ]
  const file = candidates.find((f) => fs.existsSync(f))
  if (!file) throw new Error(`${basename} entry not found (looked for ${candidates.join(', ')})`)
  if (!file.endsWith('.ts')) return { file, code: file, eval: false }
  const tsxApi = createRequire(import.meta.url).resolve('tsx/cjs/api')
  const code = `require(${JSON.stringify(tsxApi)}).register();\nrequire(${JSON.stringify(file)});\n`
  return { file, code, eval: true }
}

/**
 * One count for the whole process: the main thread makes the buffer and hands it to every engine worker
 * (workerData.engineSpawns), so a worker that started workers of its own would count into it too.
 */
const spawns = new Int32Array(inheritedSpawnBuffer() ?? new SharedArrayBuffer(4))

function inheritedSpawnBuffer(): SharedArrayBuffer | null {
  if (isMainThread) return null
  const b = (inheritedData as { engineSpawns?: unknown } | null)?.engineSpawns
  return b instanceof SharedArrayBuffer ? b : null
}

/**
 * Engine worker threads this process has started so far, from any thread (each boot loads tfjs and its
 * backend again). Tests read it to check that a studio run is one worker session.
 */
export function engineWorkerSpawns(): number {
  return Atomics.load(spawns, 0)
}

/** Starts the engine worker with `workerData`; `entry` overrides the entry file (tests). */
export function spawnEngineWorker(workerData: unknown, entry?: string): Worker {
  const e = resolveWorkerEntry(entry)
  Atomics.add(spawns, 0, 1)
  const data = { ...(workerData as object), engineSpawns: spawns.buffer }
  return new Worker(e.code, { eval: e.eval, workerData: data, execArgv: [] })
}

/** Starts the data worker (see data-worker.ts) with `workerData`. */
export function spawnDataWorker(workerData: unknown): Worker {
  const e = resolveWorkerEntry(undefined, DATA_WORKER_BASENAME)
  return new Worker(e.code, { eval: e.eval, workerData, execArgv: [] })
}
