/**
 * The training thread's view of its labelled data: `batchAt(iteration)` resolves to the augmented batch.
 * The files are decoded and the batches cut in a data worker (see ../worker/data-worker.ts), which
 * works `prefetch` iterations ahead while the training thread runs the current step, so the decode and
 * augmentation cost leaves the step time. Batches are a pure function of (seed, iteration), so the
 * worker's batches are identical to `fileBatchAt` on this thread and a resumed run sees the same data.
 */
import type { Worker } from 'node:worker_threads'
import type { ShapesBatch } from '../data/synthetic-shapes'
import type { DataWorkerData, FromDataWorker, ToDataWorker } from '../worker/data-messages'
import { spawnDataWorker } from '../worker/spawn-engine-worker'
import type { FileProblem, LabelledFile } from './file-dataset'

export interface FileBatchLoaderOptions {
  items: readonly LabelledFile[]
  numClasses: number
  seed: number
  batch: number
  size: number
  /** Iterations requested ahead of the one being consumed (default 2). */
  prefetch?: number
}

export interface FileBatchLoader {
  /** Items that decoded cleanly (the ones batches are drawn from). */
  readonly count: number
  /** Files that could not be used, each naming the file and the reason. */
  readonly problems: readonly FileProblem[]
  batchAt(iteration: number): Promise<ShapesBatch>
  close(): Promise<void>
}

interface Waiter {
  resolve(b: ShapesBatch): void
  reject(e: Error): void
}

class WorkerBatchLoader implements FileBatchLoader {
  private readonly requested = new Set<number>()
  private readonly done = new Map<number, ShapesBatch>()
  private readonly waiters = new Map<number, Waiter>()
  private failure: Error | null = null
  private closed = false

  constructor(
    private readonly worker: Worker,
    private readonly opts: FileBatchLoaderOptions,
    readonly count: number,
    readonly problems: readonly FileProblem[],
  ) {
    worker.on('message', (m: FromDataWorker) => {
      if (m.type === 'batch') {
        const b: ShapesBatch = { images: m.images, labels: m.labels, n: opts.batch, size: opts.size }
        const w = this.waiters.get(m.iteration)
        if (w) {
          this.waiters.delete(m.iteration)
          w.resolve(b)
        } else this.done.set(m.iteration, b)
      } else if (m.type === 'error') this.fail(new Error(`data loader: ${m.message}`))
    })
    worker.on('error', (e) => this.fail(e))
    worker.on('exit', (code) => {
      if (!this.closed) this.fail(new Error(`data loader stopped unexpectedly (exit code ${code})`))
    })
  }

  private fail(e: Error): void {
    if (this.failure) return
    this.failure = e
    for (const w of this.waiters.values()) w.reject(e)
    this.waiters.clear()
  }

  private request(iteration: number): void {
    if (this.requested.has(iteration)) return
    this.requested.add(iteration)
    const m: ToDataWorker = { type: 'batch', iteration }
    this.worker.postMessage(m)
  }

  batchAt(iteration: number): Promise<ShapesBatch> {
    if (this.closed) return Promise.reject(new Error('the data loader is closed'))
    if (this.failure) return Promise.reject(this.failure)
    const ahead = this.opts.prefetch ?? 2
    for (let k = 0; k <= ahead; k++) this.request(iteration + k)
    // Batches before this one are never asked for again: drop their bookkeeping.
    for (const it of this.requested) if (it < iteration) this.requested.delete(it)
    const ready = this.done.get(iteration)
    if (ready) {
      this.done.delete(iteration)
      return Promise.resolve(ready)
    }
    return new Promise((resolve, reject) => this.waiters.set(iteration, { resolve, reject }))
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.fail(new Error('the data loader is closed'))
    this.done.clear()
    await this.worker.terminate()
  }
}

/**
 * Starts a data worker on `items` and resolves once every file is decoded (or found unusable). Rejects
 * when the worker cannot start or the decode itself fails; bad files are `problems`, not a rejection.
 */
export function openFileBatchLoader(opts: FileBatchLoaderOptions): Promise<FileBatchLoader> {
  const data: DataWorkerData = {
    dataWorker: true,
    items: opts.items.map((i) => ({ image: i.image, mask: i.mask })),
    numClasses: opts.numClasses,
    seed: opts.seed,
    batch: opts.batch,
    size: opts.size,
  }
  const worker = spawnDataWorker(data)
  return new Promise((resolve, reject) => {
    const onMessage = (m: FromDataWorker): void => {
      if (m.type === 'ready') {
        cleanup()
        resolve(new WorkerBatchLoader(worker, opts, m.count, m.problems))
      } else if (m.type === 'error') {
        cleanup()
        void worker.terminate()
        reject(new Error(`data loader: ${m.message}`))
      }
    }
    const onError = (e: Error): void => {
      cleanup()
      reject(e)
    }
    const onExit = (code: number): void => {
      cleanup()
      reject(new Error(`data loader exited before it was ready (exit code ${code})`))
    }
    const cleanup = (): void => {
      worker.off('message', onMessage)
      worker.off('error', onError)
      worker.off('exit', onExit)
    }
    worker.on('message', onMessage)
    worker.on('error', onError)
    worker.on('exit', onExit)
  })
}
