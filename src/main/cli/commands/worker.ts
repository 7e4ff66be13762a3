import { UsageError, EXIT_OK, parseCommandArgs, type CliIo, type Command } from '../args'
import { startFarmWorker } from '../../app/farm/farm-worker'
import { parseRedisUrl, RedisUrlError } from '../../app/farm/redis-url'

function positiveInt(flag: string, v: string | undefined, fallback: number, most: number): number {
  if (v === undefined) return fallback
  const n = Number(v)
  if (!Number.isInteger(n) || n < 1 || n > most)
    throw new UsageError(`${flag} must be a whole number from 1 to ${most} (got ${v})`)
  return n
}

/** `--map FROM=TO`, repeatable: the studio's project folder prefix → this machine's. */
function parseMaps(values: string[]): { from: string; to: string }[] {
  return values.map((v) => {
    const i = v.indexOf('=')
    if (i <= 0 || i === v.length - 1) throw new UsageError(`--map takes FROM=TO (got ${v})`)
    return { from: v.slice(0, i), to: v.slice(i + 1) }
  })
}

export const workerCommand: Command = {
  name: 'worker',
  summary: 'take album runs from a farm (BullMQ on Redis) and run them on this machine',
  usage: `Usage: pss-studio worker --redis URL [--concurrency N] [--backend auto|wasm|cpu|tensorflow|webgpu] [--map FROM=TO]…

Runs until Ctrl-C. Takes run jobs a studio in farm mode enqueued, runs each with this machine's engine,
streams progress to the studio and writes the run's files into the project folder, which must be
reachable here (a network share; --map when it is mounted at another path). It never opens the
project's database: the studio stores a finished run.

Options:
  --redis URL        redis://[user:password@]host[:port][/db] or rediss:// (TLS); also PSS_FARM_REDIS
  --concurrency N    runs at once (default 1; each uses its own engine thread)
  --backend B        run every job on this tfjs backend (default: the plan's own, normally auto)
  --map FROM=TO      the studio's project path prefix FROM is TO on this machine (repeatable)
  --lock-seconds S   a job whose worker stops answering for S seconds is handed to another (default 30)
  --name NAME        this worker's name in logs and run outcomes (default host:pid)`,

  async run(argv: string[], io: CliIo): Promise<number> {
    const opts = parseCommandArgs(argv, {
      redis: { type: 'string' },
      concurrency: { type: 'string' },
      backend: { type: 'string' },
      map: { type: 'string', multiple: true },
      'lock-seconds': { type: 'string' },
      name: { type: 'string' },
    })
    const url = opts.redis ?? process.env.PSS_FARM_REDIS
    if (!url) throw new UsageError('worker needs --redis URL (or PSS_FARM_REDIS)')
    let redis
    try {
      redis = parseRedisUrl(url)
    } catch (e) {
      if (e instanceof RedisUrlError) throw new UsageError(e.message)
      throw e
    }
    const backend = opts.backend === undefined || opts.backend === 'auto' ? null : opts.backend
    if (backend !== null && !['wasm', 'cpu', 'tensorflow', 'webgpu'].includes(backend))
      throw new UsageError(`--backend must be auto, wasm, cpu, tensorflow or webgpu (got ${backend})`)
    const lockSeconds = positiveInt('--lock-seconds', opts['lock-seconds'], 30, 3600)
    const worker = startFarmWorker({
      redis,
      concurrency: positiveInt('--concurrency', opts.concurrency, 1, 64),
      maps: parseMaps((opts.map as string[] | undefined) ?? []),
      backend,
      lockMs: lockSeconds * 1000,
      stalledIntervalMs: Math.max(1000, Math.round((lockSeconds * 1000) / 2)),
      ...(opts.name !== undefined ? { name: opts.name } : {}),
      log: (line) => io.out(line),
    })
    await worker.ready
    await new Promise<void>((done) => {
      if (io.signal.aborted) done()
      else io.signal.addEventListener('abort', () => done(), { once: true })
    })
    io.err('Stopping the worker (running jobs go back to the queue)…')
    await worker.close(true)
    return EXIT_OK
  },
}
