/**
 * The farm end to end with real processes: a real redis-server, two `pss-studio worker` processes and the
 * studio's FarmClient. A source-model training job (engine session `train`) runs on one worker; that
 * worker is killed with SIGKILL once a checkpoint exists; BullMQ's stalled-job recovery hands the job to
 * the other worker, which resumes from the checkpoint — and the loss curve equals a local run of the same
 * request. Jobs with a path outside the project or an invalid request are refused for good, and cancel
 * reaches the worker that runs the job.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FarmCancelled, FarmClient, FarmError } from '../../../src/main/app/farm/farm-client'
import { FARM_JOB_FORMAT, type FarmJob, type FarmProgress } from '../../../src/main/app/farm/farm-job'
import { FARM_OUTCOME_FILE } from '../../../src/main/app/farm/farm-worker'
import { toProjectPaths } from '../../../src/main/app/farm/plan-paths'
import { parseRedisUrl } from '../../../src/main/app/farm/redis-url'
import { startSession, type TrainingResult } from '../../../src/main/engine/api'
import { makeShapesBatch } from '../../../src/main/engine/data/synthetic-shapes'
import { Rng } from '../../../src/main/engine/train/rng'
import { encodeLabelPng } from '../../../src/main/media/label-png'
import { Project } from '../../../src/main/project/project'
import { freePort, hasRedis, RedisServer } from './redis-server'

const CLI = path.join(__dirname, '../../../src/main/cli/index.ts')
const SIDE = 48
const STEPS = 40
let tmp = ''
let root = ''
let redis: RedisServer
let client: FarmClient
const workers = new Map<string, { child: ChildProcess; log: string[] }>()
let items: { image: string; mask: string }[] = []

function startWorker(name: string): void {
  const log: string[] = []
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', CLI, 'worker', '--redis', redis.url, '--lock-seconds', '2', '--name', name],
    { env: { ...process.env, PSS_STUDIO_HOME: path.join(tmp, 'home') }, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  child.stdout!.on('data', (d: Buffer) => log.push(d.toString()))
  child.stderr!.on('data', (d: Buffer) => log.push(d.toString()))
  workers.set(name, { child, log })
}

async function waitFor(f: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms
  while (!f()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

function trainRequest(runDir: string, steps = STEPS, extra: Record<string, unknown> = {}) {
  return {
    config: {
      runDir,
      seed: 7,
      steps,
      batch: 2,
      size: 32,
      width: 16,
      lr: 0.01,
      checkpointEvery: 5,
      backend: 'wasm',
      data: { kind: 'files', items, numClasses: 4 },
      ...extra,
    },
    resume: false,
  }
}

function job(runId: number, request: unknown): FarmJob {
  return { format: FARM_JOB_FORMAT, projectDir: root, runId, session: 'train', request }
}

beforeAll(async () => {
  if (!hasRedis) return
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pss-farm-'))
  root = path.join(tmp, 'project')
  Project.create(root, { name: 'Farm' }).close()
  const data = path.join(root, 'media', 'train')
  fs.mkdirSync(data, { recursive: true })
  const b = makeShapesBatch(new Rng(3), 6, SIDE)
  const px = SIDE * SIDE
  items = []
  for (let i = 0; i < b.n; i++) {
    const image = path.join(data, `s${i}.png`)
    await sharp(Buffer.from(Uint8ClampedArray.from(b.images.subarray(i * px * 3, (i + 1) * px * 3))), {
      raw: { width: SIDE, height: SIDE, channels: 3 },
    })
      .png()
      .toFile(image)
    const mask = path.join(data, `s${i}-mask.png`)
    fs.writeFileSync(
      mask,
      encodeLabelPng({
        width: SIDE,
        height: SIDE,
        labels: Uint8Array.from(b.labels.subarray(i * px, (i + 1) * px)),
      }),
    )
    items.push({ image, mask })
  }
  redis = new RedisServer(path.join(tmp, 'redis'), await freePort(), 'farm-secret')
  await redis.start()
  client = new FarmClient(parseRedisUrl(redis.url))
  await client.ready()
  startWorker('wA')
  startWorker('wB')
  await waitFor(
    () => [...workers.values()].every((w) => w.log.join('').includes('waiting for runs')),
    90_000,
    'both workers to connect',
  )
}, 150_000)

afterAll(async () => {
  for (const w of workers.values()) w.child.kill('SIGKILL')
  await client?.close()
  await redis?.kill()
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true })
})

describe.skipIf(!hasRedis)('farm workers (real redis-server, real worker processes)', () => {
  it('a worker killed mid-run: another resumes from the checkpoint; the curve equals a local run', async () => {
    const runDir = path.join(root, 'runs', '1')
    let killed: string | null = null
    const progress: FarmProgress[] = []
    const outcome = await client.run('farm-test-1', job(1, toProjectPaths(trainRequest(runDir), root)), {
      attempts: 2,
      onProgress: (p) => {
        progress.push(p)
        const it = (p.payload as { iteration?: number }).iteration ?? 0
        if (!killed && p.event === 'checkpoint' && it >= 10) {
          killed = p.worker
          workers.get(p.worker)!.child.kill('SIGKILL')
        }
      },
    })
    expect(killed, 'the test killed the worker running the job').not.toBeNull()
    expect(outcome.worker).not.toBe(killed)
    expect(outcome.resumed).toBe(true)
    const result = outcome.result as TrainingResult
    expect(result.status).toBe('done')
    expect(result.iteration).toBe(STEPS)
    // The second worker started from a checkpoint at or after iteration 10, not from 0.
    const restarted = progress.find((p) => p.worker !== killed && p.event === 'started')
    expect((restarted?.payload as { fromIteration: number }).fromIteration).toBeGreaterThanOrEqual(10)
    expect(JSON.parse(fs.readFileSync(path.join(runDir, FARM_OUTCOME_FILE), 'utf8')).worker).toBe(
      outcome.worker,
    )

    // The same request run here, uninterrupted: the same loss curve (resume tolerance as for local resumes).
    const local = await startSession('train', trainRequest(path.join(tmp, 'local-run'))).result
    expect(local.iteration).toBe(STEPS)
    const byIt = new Map(local.losses.map((l) => [l.iteration, l.loss]))
    expect(result.losses.map((l) => l.iteration)).toEqual(local.losses.map((l) => l.iteration))
    for (const l of result.losses) {
      const want = byIt.get(l.iteration)!
      expect(
        Math.abs(l.loss - want) / Math.max(1e-6, Math.abs(want)),
        `iteration ${l.iteration}`,
      ).toBeLessThanOrEqual(1e-4)
    }
    // The killed worker is replaced for the next tests.
    startWorker(`${killed}2`)
  }, 300_000)

  it('refuses for good a job with a path outside the project, and one the session cannot parse', async () => {
    const outside = job(2, {
      ...(toProjectPaths(trainRequest(path.join(root, 'runs', '2')), root) as object),
      extra: '/etc/passwd',
    })
    await expect(client.run('farm-test-2', outside, { attempts: 3 })).rejects.toThrow(
      /absolute path \(\/etc\/passwd\)/,
    )
    const invalid = job(3, toProjectPaths(trainRequest(path.join(root, 'runs', '3'), 0), root))
    await expect(client.run('farm-test-3', invalid, { attempts: 3 })).rejects.toThrow(/steps/)
    const climbing = job(4, { config: { runDir: { $project: '../../outside' } } })
    await expect(client.run('farm-test-4', climbing, { attempts: 3 })).rejects.toThrow(
      /leaves the project folder/,
    )
    // Refused at once: no retries were spent on them.
    expect(await client.state('farm-test-2')).toBe('failed')
  }, 120_000)

  it('a Redis crash (SIGKILL, append-only file) loses no job: workers and the studio reconnect and finish', async () => {
    const running = path.join(root, 'runs', '6')
    const waiting = path.join(root, 'runs', '7')
    let first: () => void = () => undefined
    const started = new Promise<void>((r) => (first = r))
    const a = client.run('farm-test-6', job(6, toProjectPaths(trainRequest(running), root)), {
      attempts: 3,
      onProgress: (p) => {
        if (p.event === 'progress') first()
      },
    })
    const b = client.run('farm-test-7', job(7, toProjectPaths(trainRequest(waiting), root)), { attempts: 3 })
    await started
    // appendfsync everysec: what Redis acknowledged more than a second ago is on disk.
    await new Promise((r) => setTimeout(r, 1200))
    await redis.kill()
    await new Promise((r) => setTimeout(r, 1500))
    await redis.start()
    const [ra, rb] = await Promise.all([a, b])
    const local = await startSession('train', trainRequest(path.join(tmp, 'local-run-2'))).result
    for (const r of [ra, rb]) {
      const t = r.result as TrainingResult
      expect(t.status).toBe('done')
      expect(t.iteration).toBe(STEPS)
      // Whichever worker finished it, and whether or not it had to resume: the uninterrupted curve.
      t.losses.forEach((l, i) =>
        expect(Math.abs(l.loss - local.losses[i]!.loss)).toBeLessThanOrEqual(
          1e-4 * Math.abs(local.losses[i]!.loss),
        ),
      )
    }
  }, 300_000)

  it('cancel reaches the worker running the job', async () => {
    const abort = new AbortController()
    const run = client.run(
      'farm-test-5',
      job(5, toProjectPaths(trainRequest(path.join(root, 'runs', '5'), 400), root)),
      {
        attempts: 3,
        signal: abort.signal,
        onProgress: (p) => {
          if (p.event === 'progress') abort.abort()
        },
      },
    )
    await expect(run).rejects.toThrow(FarmCancelled)
    await expect(run).rejects.toThrow(FarmError)
    expect(await client.state('farm-test-5')).toBe('failed')
  }, 120_000)
})
