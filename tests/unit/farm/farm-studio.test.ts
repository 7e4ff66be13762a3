/**
 * Issue 18's end-to-end check, with real processes: a real redis-server, two `pss-studio worker`
 * processes and a studio in farm mode personalize every album of the tiny demo project (it has three) at
 * tiny iterations. One worker is killed with SIGKILL once the run it holds has written a source
 * checkpoint; a third worker joins. All runs finish; the interrupted one resumed from a checkpoint on
 * another worker (its run record says so); each run is stored once; and each run's metrics equal a local
 * run of the same config and seed in a copy of the project.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ensureDemoProject } from '../../../src/main/app/demo-project'
import { Studio } from '../../../src/main/app/studio'
import type { RunDetail } from '../../../src/shared/runs'
import { freePort, hasRedis, RedisServer } from './redis-server'

const CLI = path.join(__dirname, '../../../src/main/cli/index.ts')
const RUN = { method: 'pss', iterations: 12, adaptIterations: 3, size: 32, seed: 4 } as const
let tmp = ''
let redis: RedisServer
const workers = new Map<string, { child: ChildProcess; log: string }>()
const saved = process.env.PSS_BACKEND

function startWorker(name: string): void {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', CLI, 'worker', '--redis', redis.url, '--lock-seconds', '3', '--name', name],
    {
      env: { ...process.env, PSS_BACKEND: 'wasm', PSS_STUDIO_HOME: path.join(tmp, 'worker-home') },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  const w = { child, log: '' }
  child.stdout!.on('data', (d: Buffer) => (w.log += d.toString()))
  child.stderr!.on('data', (d: Buffer) => (w.log += d.toString()))
  workers.set(name, w)
}

async function until<T>(f: () => T | null | Promise<T | null>, ms: number, what: string): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const v = await f()
    if (v !== null) return v
    if (Date.now() > end) {
      const logs = [...workers.entries()].map(([n, w]) => `--- ${n}\n${w.log.slice(-2000)}`).join('\n')
      throw new Error(`timed out waiting for ${what}\n${logs}`)
    }
    await new Promise((r) => setTimeout(r, 200))
  }
}

async function finished(studio: Studio, runId: number): Promise<RunDetail> {
  return until(
    async () => {
      const r = await studio.api.getRun({ runId })
      return r.status === 'running' || r.status === 'queued' ? null : r
    },
    600_000,
    `run ${runId} to end`,
  )
}

beforeAll(async () => {
  if (!hasRedis) return
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pss-farm-studio-'))
  process.env.PSS_BACKEND = 'wasm'
  const demo = await ensureDemoProject(path.join(tmp, 'farm-project'), { preset: 'tiny' })
  // The same project, copied before any run: the local reference runs train their own source models.
  fs.cpSync(demo.path, path.join(tmp, 'local-project'), { recursive: true })
  redis = new RedisServer(path.join(tmp, 'redis'), await freePort(), 'studio-farm-pw')
  await redis.start()
  startWorker('wA')
  startWorker('wB')
  await until(
    () => ([...workers.values()].every((w) => w.log.includes('waiting for runs')) ? true : null),
    120_000,
    'both workers to connect',
  )
}, 240_000)

afterAll(async () => {
  for (const w of workers.values()) w.child.kill('SIGKILL')
  await redis?.kill()
  if (saved === undefined) delete process.env.PSS_BACKEND
  else process.env.PSS_BACKEND = saved
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true })
})

describe.skipIf(!hasRedis)('a studio in farm mode', () => {
  it('personalizes every album on the farm, survives a killed worker, stores each run once, equals local runs', async () => {
    const farmStudio = new Studio({ mode: 'cli', homeDir: path.join(tmp, 'home-farm') })
    const runIds = new Map<number, number>()
    let killed: { worker: string; runId: number } | null = null
    try {
      const on = await farmStudio.api.setFarm({ enabled: true, url: redis.url })
      expect(on.enabled).toBe(true)
      expect(JSON.stringify(on)).not.toContain('studio-farm-pw')
      await farmStudio.openProjectPath(path.join(tmp, 'farm-project'))
      const albums = await farmStudio.api.listAlbums({})
      expect(albums.length).toBe(3)
      for (const a of albums)
        runIds.set(a.id, (await farmStudio.api.startRun({ albumId: a.id, ...RUN })).runId)

      // Kill the worker of the first run that has a source checkpoint on disk.
      killed = await until(
        async () => {
          for (const [name, w] of workers) {
            for (const m of w.log.matchAll(/: run (\d+) \(job /g)) {
              const runId = Number(m[1])
              const r = await farmStudio.api.getRun({ runId })
              const source = r.config.sourceRunId
              if (typeof source !== 'number' || r.status !== 'running') continue
              // checkpoint.json points at the last complete checkpoint (written after it).
              const done = path.join(tmp, 'farm-project', 'runs', String(source), 'checkpoint.json')
              if (fs.existsSync(done)) return { worker: name, runId }
            }
          }
          return null
        },
        300_000,
        'a run on the farm to write a source checkpoint',
      )
      workers.get(killed.worker)!.child.kill('SIGKILL')
      startWorker('wC')

      const farmRuns = new Map<number, RunDetail>()
      for (const [albumId, runId] of runIds) farmRuns.set(albumId, await finished(farmStudio, runId))
      for (const [albumId, r] of farmRuns) {
        expect(r.status, `album ${albumId}: ${r.error ?? ''}`).toBe('done')
        const farm = r.config.farm as { worker: string; attempt: number; resumed: boolean; farm: string }
        expect(farm.farm).toMatch(/^redis:\/\/\*\*\*@127\.0\.0\.1:\d+\/0$/)
        expect(JSON.stringify(r.config)).not.toContain('studio-farm-pw')
        // Stored once: one score per validation image, no duplicates.
        const images = await farmStudio.api.runImageMetrics({ runId: r.id })
        expect(images.length).toBe(r.maskCount)
        expect(new Set(images.map((i) => i.imageId)).size).toBe(images.length)
        if (r.id === killed.runId) {
          expect(farm.worker).not.toBe(killed.worker)
          expect(farm.resumed).toBe(true)
        }
      }

      // The same runs on this machine, in the copy: the same numbers.
      const localStudio = new Studio({ mode: 'cli', homeDir: path.join(tmp, 'home-local') })
      try {
        await localStudio.openProjectPath(path.join(tmp, 'local-project'))
        const localAlbums = await localStudio.api.listAlbums({})
        for (const a of localAlbums) {
          const { runId } = await localStudio.api.startRun({ albumId: a.id, ...RUN })
          const local = await finished(localStudio, runId)
          expect(local.status, local.error ?? '').toBe('done')
          expect(local.config.farm).toBeUndefined()
          const farm = farmRuns.get(a.id)!
          const resumed = farm.id === killed.runId
          console.log(
            `[farm-studio] ${a.name}: farm FIoU ${farm.metrics!.fiou} (${(farm.config.farm as { worker: string }).worker}${resumed ? ', resumed' : ''}) · local ${local.metrics!.fiou}`,
          )
          // The same computation, not just the same score: the source and stage loss curves, the confusion
          // matrix and the per-image scores (at these tiny budgets the models predict mostly background, so
          // FIoU alone would say little). A resumed training follows its curve to float rounding.
          const close = (a: number, b: number): boolean =>
            resumed ? Math.abs(a - b) <= 1e-4 * Math.max(1, Math.abs(b)) : a === b
          const curves = (r: RunDetail): number[] => [
            ...r.lossCurve.map((p) => p.loss),
            ...r.stageCurves.flatMap((c) => c.points.map((p) => p.loss)),
          ]
          expect(curves(farm).length).toBeGreaterThan(RUN.iterations)
          expect(curves(farm).length).toBe(curves(local).length)
          curves(farm).forEach((v, i) =>
            expect(close(v, curves(local)[i]!), `loss ${i}: ${v} vs ${curves(local)[i]}`).toBe(true),
          )
          const cells = (r: RunDetail): number[] => r.confusion!.flat()
          const total = cells(local).reduce((x, y) => x + y, 0)
          const moved = cells(farm).reduce((x, v, i) => x + Math.abs(v - cells(local)[i]!), 0)
          expect(moved / total).toBeLessThanOrEqual(resumed ? 1e-3 : 0)
          expect(farm.metrics!.fiou).toBe(resumed ? farm.metrics!.fiou : local.metrics!.fiou)
          const farmImages = await farmStudio.api.runImageMetrics({ runId: farm.id })
          const localImages = await localStudio.api.runImageMetrics({ runId })
          if (!resumed) expect(farmImages.map((i) => i.fiou)).toEqual(localImages.map((i) => i.fiou))
        }
      } finally {
        await localStudio.close()
      }
    } finally {
      await farmStudio.close()
    }
  }, 1_200_000)
})
