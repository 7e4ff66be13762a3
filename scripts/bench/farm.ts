/**
 * `npm run bench:farm [-- --workers 1,2] [--iterations N] [--adapt-iterations N] [--method pss|noda|advent] [--json]`
 *
 * Albums per hour through the farm on this machine: a real redis-server (Debian's, on a free loopback
 * port), W `pss-studio worker` processes (one run each at a time) and a studio in farm mode that starts the
 * same run on every album of the tiny demo project; then the same runs on this machine without the farm
 * (the studio's own queue: one run at a time) as the baseline. Per job it reads BullMQ's timestamps: the
 * queue latency (enqueued → a free worker took it), the hand-back latency (the worker finished → the studio
 * stored the run) and Redis memory per job. The last line is JSON with --json.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Queue } from 'bullmq'
import IORedis from 'ioredis'
import { ensureDemoProject } from '../../src/main/app/demo-project'
import { Studio } from '../../src/main/app/studio'
import { FARM_QUEUE, farmJobId } from '../../src/main/app/farm/farm-job'
import { connectionOptions, parseRedisUrl } from '../../src/main/app/farm/redis-url'
import type { RunMethod } from '../../src/shared/runs'
import { freePort, RedisServer, redisVersion } from '../../tests/unit/farm/redis-server'

const CLI = path.join(__dirname, '../../src/main/cli/index.ts')

interface Options {
  workers: number[]
  iterations: number
  adaptIterations: number
  method: RunMethod
  json: boolean
}

function parseOptions(argv: string[]): Options {
  const o: Options = { workers: [1, 2], iterations: 100, adaptIterations: 20, method: 'pss', json: false }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (a === '--json') o.json = true
    else if (a === '--workers') o.workers = argv[++i]!.split(',').map(Number)
    else if (a === '--iterations') o.iterations = Number(argv[++i])
    else if (a === '--adapt-iterations') o.adaptIterations = Number(argv[++i])
    else if (a === '--method') o.method = argv[++i] as RunMethod
    else
      throw new Error(
        `unknown option ${a}; allowed: --workers 1,2 --iterations N --adapt-iterations N --method M --json`,
      )
  }
  if (!o.workers.every((w) => Number.isInteger(w) && w >= 1 && w <= 16))
    throw new Error('--workers takes 1–16, comma separated')
  return o
}

async function until<T>(f: () => Promise<T | null>, ms: number, what: string): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const v = await f()
    if (v !== null) return v
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 250))
  }
}

interface Pass {
  mode: string
  workers: number
  albums: number
  wallSeconds: number
  albumsPerHour: number
  perRunSeconds: number[]
  queueLatencyMs?: number[]
  handBackMs?: number[]
  redisBytesPerJob?: number
}

async function runAll(
  studio: Studio,
  o: Options,
): Promise<{ wall: number; runs: { id: number; seconds: number; finishedAt: number }[] }> {
  const albums = await studio.api.listAlbums({})
  const t0 = Date.now()
  const ids: number[] = []
  for (const a of albums) {
    ids.push(
      (
        await studio.api.startRun({
          albumId: a.id,
          method: o.method,
          iterations: o.iterations,
          ...(o.method === 'noda' ? {} : { adaptIterations: o.adaptIterations }),
          size: 32,
          seed: 1,
        })
      ).runId,
    )
  }
  const runs = []
  for (const id of ids) {
    const r = await until(
      async () => {
        const d = await studio.api.getRun({ runId: id })
        return d.status === 'queued' || d.status === 'running' ? null : d
      },
      3_600_000,
      `run ${id}`,
    )
    if (r.status !== 'done') throw new Error(`run ${id} ended ${r.status}: ${r.error ?? ''}`)
    runs.push({ id, seconds: r.durations.total ?? NaN, finishedAt: Date.parse(r.finishedAt!) })
  }
  return { wall: (Math.max(...runs.map((r) => r.finishedAt)) - t0) / 1000, runs }
}

async function farmPass(tmp: string, workers: number, o: Options): Promise<Pass> {
  const dir = path.join(tmp, `farm-${workers}`)
  const demo = await ensureDemoProject(path.join(dir, 'project'), { preset: 'tiny' })
  const redis = new RedisServer(path.join(dir, 'redis'), await freePort())
  await redis.start()
  const children: ChildProcess[] = []
  const logs: string[] = []
  try {
    for (let i = 0; i < workers; i++) {
      const c = spawn(
        process.execPath,
        ['--import', 'tsx', CLI, 'worker', '--redis', redis.url, '--name', `w${i + 1}`],
        {
          env: { ...process.env, PSS_BACKEND: 'wasm', PSS_STUDIO_HOME: path.join(dir, 'worker-home') },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      )
      logs.push('')
      c.stdout!.on('data', (d: Buffer) => (logs[i] += d.toString()))
      c.stderr!.on('data', (d: Buffer) => (logs[i] += d.toString()))
      children.push(c)
    }
    await until(
      async () => (logs.every((l) => l.includes('waiting for runs')) ? true : null),
      120_000,
      'workers',
    )
    const redisClient = new IORedis(connectionOptions(parseRedisUrl(redis.url)))
    const memory = async (): Promise<number> =>
      Number(/used_memory:(\d+)/.exec(await redisClient.info('memory'))![1])
    const before = await memory()
    const studio = new Studio({ mode: 'cli', homeDir: path.join(dir, 'home') })
    try {
      await studio.api.setFarm({ enabled: true, url: redis.url })
      await studio.openProjectPath(demo.path)
      const { wall, runs } = await runAll(studio, o)
      const after = await memory()
      const queue = new Queue(FARM_QUEUE, { connection: connectionOptions(parseRedisUrl(redis.url)) })
      const info = (await studio.api.appInfo({})).project!
      const jobs = await Promise.all(runs.map((r) => queue.getJob(farmJobId(info, r.id))))
      await queue.close()
      const sorted = [...jobs].sort((a, b) => a!.timestamp - b!.timestamp)
      return {
        mode: 'farm',
        workers,
        albums: runs.length,
        wallSeconds: wall,
        albumsPerHour: (runs.length / wall) * 3600,
        perRunSeconds: runs.map((r) => r.seconds),
        // The first W jobs found an idle worker: their wait is the queue's own latency.
        queueLatencyMs: sorted.slice(0, workers).map((j) => j!.processedOn! - j!.timestamp),
        handBackMs: runs.map((r, i) => r.finishedAt - jobs[i]!.finishedOn!),
        redisBytesPerJob: Math.round((after - before) / runs.length),
      }
    } finally {
      await studio.close()
      redisClient.disconnect()
    }
  } finally {
    for (const c of children) c.kill('SIGKILL')
    await redis.kill()
  }
}

async function localPass(tmp: string, o: Options): Promise<Pass> {
  const dir = path.join(tmp, 'local')
  const demo = await ensureDemoProject(path.join(dir, 'project'), { preset: 'tiny' })
  const studio = new Studio({ mode: 'cli', homeDir: path.join(dir, 'home') })
  try {
    await studio.openProjectPath(demo.path)
    const { wall, runs } = await runAll(studio, o)
    return {
      mode: 'local',
      workers: 1,
      albums: runs.length,
      wallSeconds: wall,
      albumsPerHour: (runs.length / wall) * 3600,
      perRunSeconds: runs.map((r) => r.seconds),
    }
  } finally {
    await studio.close()
  }
}

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2))
  process.env.PSS_BACKEND = 'wasm'
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pss-bench-farm-'))
  const load = os.loadavg()[0]!.toFixed(2)
  try {
    const passes: Pass[] = [await localPass(tmp, o)]
    for (const w of o.workers) passes.push(await farmPass(tmp, w, o))
    const fmt = (xs: number[] | undefined): string => (xs ? xs.map((x) => x.toFixed(0)).join(', ') : '–')
    console.log(
      `bench:farm · ${o.method}, ${o.iterations} source / ${o.adaptIterations} adaptation iterations, size 32, tiny demo (3 albums) · ${os.cpus().length} cores, load ${load} at start · ${redisVersion()}`,
    )
    console.log(
      'mode   workers  wall s  albums/h  per-run s          queue ms      hand-back ms   Redis B/job',
    )
    for (const p of passes) {
      console.log(
        `${p.mode.padEnd(6)} ${String(p.workers).padStart(7)}  ${p.wallSeconds.toFixed(0).padStart(6)}  ${p.albumsPerHour.toFixed(1).padStart(8)}  ${fmt(p.perRunSeconds).padEnd(17)}  ${fmt(p.queueLatencyMs).padEnd(12)}  ${fmt(p.handBackMs).padEnd(13)}  ${p.redisBytesPerJob ?? '–'}`,
      )
    }
    if (o.json)
      console.log(JSON.stringify({ options: o, cores: os.cpus().length, loadAtStart: Number(load), passes }))
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true })
  }
}

void main().catch((e) => {
  console.error(e instanceof Error ? e.message : e)
  process.exit(1)
})
