import { resolve } from 'node:path'
import { isFinalJobStatus, JobStatus, type Album } from '../../../shared/api'
import { isRunMethod, RUN_DEFAULTS, RUN_METHODS, type RunDetail, type RunMethod } from '../../../shared/runs'
import { STUDIO_METHODS } from '../../../shared/methods'
import { ApiError } from '../../app/api-error'
import type { Studio } from '../../app/studio'
import {
  EXIT_FAILURE,
  EXIT_OK,
  UsageError,
  parseCommandArgs,
  printJson,
  requireString,
  type CliIo,
  type Command,
} from '../args'
import { formatProgress, waitForJob } from '../job-wait'
import { withStudio } from '../studio-session'

/** Percent with 2 decimals, as every results table shows it. */
export const pct = (v: number | null): string => (v === null ? '—' : (v * 100).toFixed(2))

function positiveInt(value: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max)
    throw new UsageError(`--${flag} must be an integer from ${min} to ${max}, got "${value}"`)
  return Number(value)
}

export async function findAlbum(studio: Studio, name: string): Promise<Album> {
  const albums = await studio.api.listAlbums({})
  const album = albums.find((a) => a.name === name) ?? albums.find((a) => a.userId === name)
  if (!album) {
    const known = albums.map((a) => `"${a.name}"`).join(', ')
    throw ApiError.of('NOT_FOUND', `no album named "${name}" in this project (albums: ${known || 'none'})`)
  }
  return album
}

export function printRunDetail(r: RunDetail, io: CliIo): void {
  io.out(`Run #${r.id} · ${r.method} on "${r.albumName ?? '(deleted album)'}" · ${r.status}`)
  const imported = r.config.sourceModel as { name?: unknown; arch?: unknown; sha256?: unknown } | undefined
  if (imported && typeof imported.name === 'string' && typeof imported.sha256 === 'string')
    io.out(
      `  source model: imported "${imported.name}" (${String(imported.arch)}, sha256 ${imported.sha256})`,
    )
  if (typeof r.config.sourceModelNotice === 'string') io.out(`  note: ${r.config.sourceModelNotice}`)
  io.out(
    `  backend ${r.backend ?? '?'} · seed ${r.seed ?? '?'} · split #${r.splitId ?? '?'} v${r.splitVersion ?? '?'} · ${r.maskCount} validation masks · source run #${r.sourceRunId ?? '?'}`,
  )
  const d = r.durations
  io.out(
    `  seconds: source ${d.source?.toFixed(1) ?? '— (reused)'}, predict ${d.predict?.toFixed(1) ?? '—'}, score ${d.score?.toFixed(1) ?? '—'}, total ${d.total?.toFixed(1) ?? '—'}`,
  )
  if (!r.metrics) {
    if (r.error) io.out(`  error: ${r.error}`)
    return
  }
  const m = r.metrics
  io.out('')
  io.out(
    `  FIoU ${pct(m.fiou)}   MIoU (paper: GT object classes, no background) ${pct(m.miouPaper)}   MIoU (all 21 classes, absent = 0; released code's printout) ${pct(m.miouAll21)}   MIoU (present classes) ${pct(m.miouPresent)}   on ${m.images} validation images (percent)`,
  )
  io.out('')
  io.out(`  ${'class'.padEnd(14)} ${'IoU'.padStart(7)} ${'IoU pres.'.padStart(9)} ${'images'.padStart(6)}`)
  for (const c of r.perClass)
    io.out(
      `  ${c.name.padEnd(14)} ${pct(c.iou).padStart(7)} ${pct(c.iouPresent).padStart(9)} ${String(c.images).padStart(6)}`,
    )
}

/** One line per studio method (shared/methods.ts): its name and what it does. */
function methodHelp(): string {
  const width = Math.max(...RUN_METHODS.map((m) => m.length))
  return RUN_METHODS.map((m) => `                    ${m.padEnd(width)}  ${STUDIO_METHODS[m].summary}`).join(
    '\n',
  )
}

export const runCommand: Command = {
  name: 'run',
  summary: 'run a method on an album (source model, predict, score) and print its metrics',
  usage: `Usage: pss-studio run --project DIR --album NAME --method ${RUN_METHODS.join('|')} [--iterations N] [--adapt-iterations N] [--size S] [--seed N] [--source-model ID] [--json]

Starts a run of the project's job queue and waits for it: trains the source model on the project's
labelled source dataset (or reuses a finished one with the same config and masks), predicts every
image of the album into <project>/runs/<id>/predictions/, scores the album's active validation split
(newest human mask of each image, original resolution) and stores the metrics with the run.
Progress goes to stderr; Ctrl-C cancels the run.

Options:
  --project DIR     the project
  --album NAME      the album (its name, or its PIS user id such as id1); \`all\`: every album of the project
                    (those that cannot run, e.g. without validation masks, are named and left out; in farm
                    mode the runs go to the farm side by side)
  --method M        one of:
${methodHelp()}
  --iterations N    source-model training iterations (default ${RUN_DEFAULTS.iterations})
  --adapt-iterations N  iterations of each adaptation stage, methods other than noda (default ${RUN_DEFAULTS.adaptIterations})
  --size S          training crop and inference side, a multiple of 8 (default ${RUN_DEFAULTS.size})
  --seed N          seed of the weights and the data order (default ${RUN_DEFAULTS.seed})
  --source-model ID start from an imported PyTorch model (pss-studio model add / model list) instead of
                    training a source model; No-DA then predicts with it as it is
  --json            print the finished run (metrics as fractions 0–1) as JSON

Exit code: 0 when the run finished, 1 when it failed or was cancelled, 2 for a bad command line.`,

  async run(argv: string[], io: CliIo): Promise<number> {
    const opts = parseCommandArgs(argv, {
      project: { type: 'string' },
      album: { type: 'string' },
      method: { type: 'string' },
      iterations: { type: 'string' },
      'adapt-iterations': { type: 'string' },
      size: { type: 'string' },
      seed: { type: 'string' },
      'source-model': { type: 'string' },
      json: { type: 'boolean' },
    })
    const project = resolve(requireString(opts.project, 'project'))
    const albumName = requireString(opts.album, 'album')
    const method = requireString(opts.method, 'method')
    if (!isRunMethod(method))
      throw new UsageError(`--method must be one of ${RUN_METHODS.join(', ')}, got "${method}"`)
    const iterations = positiveInt(opts.iterations, 'iterations', 1, 200_000)
    const adaptIterations = positiveInt(opts['adapt-iterations'], 'adapt-iterations', 1, 200_000)
    const size = positiveInt(opts.size, 'size', 16, 512)
    if (size !== undefined && size % 8 !== 0)
      throw new UsageError(`--size must be a multiple of 8, got ${size}`)
    const seed = positiveInt(opts.seed, 'seed', 0, 0xffffffff)
    const sourceModelId = positiveInt(opts['source-model'], 'source-model', 1, Number.MAX_SAFE_INTEGER)

    if (albumName === 'all') {
      return runOnEveryAlbum(
        project,
        { method, iterations, adaptIterations, size, seed },
        opts.json === true,
        io,
      )
    }
    const { job, run } = await withStudio('cli', async (studio) => {
      await studio.openProjectPath(project)
      const album = await findAlbum(studio, albumName)
      let runId = 0
      const job = await waitForJob(
        studio,
        async (s) => {
          const started = await s.api.startRun({
            albumId: album.id,
            method,
            iterations,
            size,
            seed,
            ...(adaptIterations === undefined ? {} : { adaptIterations }),
            ...(sourceModelId === undefined ? {} : { sourceModelId }),
          })
          runId = started.runId
          return started
        },
        io,
        (j) => io.err(formatProgress(j)),
      )
      return { job, run: await studio.api.getRun({ runId }) }
    })
    for (const p of job.problems) io.err(`problem: ${p.file}: ${p.reason}`)
    if (opts.json) printJson(io, run)
    else printRunDetail(run, io)
    if (job.status !== JobStatus.Done) {
      io.err(`pss-studio run: the run ${job.status}${job.error ? `: ${job.error}` : ''}`)
      return EXIT_FAILURE
    }
    return EXIT_OK
  },
}

/** `--album all`: the run on every album at once, waited for together; one summary line (or JSON) per run. */
async function runOnEveryAlbum(
  project: string,
  run: {
    method: RunMethod
    iterations?: number | undefined
    adaptIterations?: number | undefined
    size?: number | undefined
    seed?: number | undefined
  },
  json: boolean,
  io: CliIo,
): Promise<number> {
  const args = Object.fromEntries(Object.entries(run).filter(([, v]) => v !== undefined)) as typeof run
  const { started, skipped, runs } = await withStudio('cli', async (studio) => {
    await studio.openProjectPath(project)
    const r = await studio.api.startRuns(args)
    for (const s of r.skipped) io.err(`left out "${s.album}": ${s.reason}`)
    const cancel = (): void => {
      io.err(`Cancelling ${r.started.length} runs…`)
      for (const s of r.started) void studio.api.cancelJob({ jobId: s.jobId }).catch(() => undefined)
    }
    io.signal.addEventListener('abort', cancel, { once: true })
    try {
      let last = 0
      for (;;) {
        const jobs = await Promise.all(r.started.map((s) => studio.api.getJob({ jobId: s.jobId })))
        if (jobs.every((j) => isFinalJobStatus(j.status))) break
        if (Date.now() - last > 2000) {
          last = Date.now()
          const done = jobs.filter((j) => isFinalJobStatus(j.status)).length
          io.err(
            `${done}/${jobs.length} runs ended · ${jobs.filter((j) => j.status === JobStatus.Running).length} running`,
          )
        }
        await new Promise((res) => setTimeout(res, 500))
      }
    } finally {
      io.signal.removeEventListener('abort', cancel)
    }
    const runs = await Promise.all(r.started.map((s) => studio.api.getRun({ runId: s.runId })))
    return { ...r, runs }
  })
  if (json) printJson(io, { runs, skipped })
  else for (const r of runs) printRunDetail(r, io)
  const failed = runs.filter((r) => r.status !== 'done')
  for (const r of failed)
    io.err(
      `pss-studio run: run #${r.id} on "${r.albumName ?? '?'}" ${r.status}${r.error ? `: ${r.error}` : ''}`,
    )
  return failed.length > 0 || started.length === 0 ? EXIT_FAILURE : EXIT_OK
}
