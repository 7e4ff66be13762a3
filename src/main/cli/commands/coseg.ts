import { resolve } from 'node:path'
import { JobStatus, type JobRecord } from '../../../shared/api'
import type { CosegJobResult } from '../../../shared/coseg'
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
import { findAlbum } from './run'

export const cosegCommand: Command = {
  name: 'coseg',
  summary: "turn an album's image tags into mask proposals (co-segmentation per cluster)",
  usage: `Usage: pss-studio coseg --project DIR --album NAME --run ID [--affinity W] [--temperature T] [--seed-confidence P] [--min-confidence P] [--no-crf] [--json]

For each cluster of the album (clustered first when it has none), co-segments the images that share a
tag: the model's class activation restricted to each image's tags, refined by feature affinity to the
group's class prototypes and by the dense CRF. Stores one proposal per tagged image (pixels below the
confidence get none) for the annotation editor. Images without tags are skipped and counted; tags that
are not VOC classes are reported by image name. Progress goes to stderr.

Options:
  --project DIR           the project
  --album NAME            the album (its name or user id)
  --run ID                a done source run, or a No-DA run (its source model is used)
  --affinity W            weight of the feature affinity against the activation, 0–1 (default 0.5)
  --temperature T         temperature of the cosine similarities (default 0.1)
  --seed-confidence P     activation a pixel needs to seed its class prototype (default 0.6)
  --min-confidence P      marginal a pixel needs to be proposed; below it, 255 (default 0.7)
  --no-crf                skip the dense CRF
  --json                  print the job's result as JSON

Exit code: 0 when the proposals were stored, 1 when the job failed or was cancelled, 2 on bad usage.`,

  async run(argv: string[], io: CliIo): Promise<number> {
    const opts = parseCommandArgs(argv, {
      project: { type: 'string' },
      album: { type: 'string' },
      run: { type: 'string' },
      affinity: { type: 'string' },
      temperature: { type: 'string' },
      'seed-confidence': { type: 'string' },
      'min-confidence': { type: 'string' },
      'no-crf': { type: 'boolean' },
      json: { type: 'boolean' },
    })
    const project = resolve(requireString(opts.project, 'project'))
    const albumArg = requireString(opts.album, 'album')
    const runArg = requireString(opts.run, 'run')
    if (!/^\d+$/.test(runArg) || Number(runArg) < 1)
      throw new UsageError(`--run must be a run id (a whole number ≥ 1), got "${runArg}"`)
    const settings = {
      ...fraction(opts.affinity, 'affinity', 'affinityWeight'),
      ...positive(opts.temperature, 'temperature'),
      ...fraction(opts['seed-confidence'], 'seed-confidence', 'seedConfidence'),
      ...fraction(opts['min-confidence'], 'min-confidence', 'minConfidence'),
    }
    const job = await withStudio('cli', async (studio) => {
      await studio.openProjectPath(project)
      const album = await findAlbum(studio, albumArg)
      return waitForJob(
        studio,
        (s) =>
          s.api.startCoseg({
            albumId: album.id,
            runId: Number(runArg),
            crf: opts['no-crf'] !== true,
            ...settings,
          }),
        io,
        (j) => io.err(formatProgress(j)),
      )
    })
    const result = job.result as CosegJobResult | null
    report(job, result, io, opts.json === true)
    return job.status === JobStatus.Done && result?.status === 'done' ? EXIT_OK : EXIT_FAILURE
  },
}

function number(v: string, flag: string): number {
  const n = Number(v)
  if (v.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${flag} must be a number, got "${v}"`)
  return n
}

function fraction(v: string | undefined, flag: string, key: string): Record<string, number> {
  if (v === undefined) return {}
  const n = number(v, flag)
  if (n < 0 || n > 1) throw new UsageError(`--${flag} must be from 0 to 1, got "${v}"`)
  return { [key]: n }
}

function positive(v: string | undefined, flag: string): Record<string, number> {
  if (v === undefined) return {}
  const n = number(v, flag)
  if (n < 0.001 || n > 100) throw new UsageError(`--${flag} must be from 0.001 to 100, got "${v}"`)
  return { [flag]: n }
}

function report(job: JobRecord, r: CosegJobResult | null, io: CliIo, json: boolean): void {
  for (const p of job.problems) io.err(`problem: ${p.file}: ${p.reason}`)
  if (json) {
    printJson(io, { job: { id: job.id, status: job.status, error: job.error }, result: r })
    return
  }
  if (job.status !== JobStatus.Done || !r) {
    io.err(`Co-segmentation ${job.status}${job.error ? `: ${job.error}` : ''}`)
    return
  }
  io.out(
    `Co-segmentation ${r.status}: ${r.proposed} proposal(s) stored as "${r.sourceId}" from ${r.groups} group(s), model of run #${r.modelRunId}` +
      `${r.checkpointIteration !== null ? ` (iteration ${r.checkpointIteration})` : ''}`,
  )
  io.out(
    `  images ${r.images} · tagged ${r.tagged} · without tags (skipped) ${r.untagged} · unreadable ${r.unreadable}`,
  )
  if (r.clusteringId !== null) io.out(`  the album had no clustering: made clustering #${r.clusteringId}`)
  for (const b of r.badTags) {
    io.out(
      `  bad tags on ${b.image}: ${b.tags.map((t) => JSON.stringify(t)).join(', ')} (not VOC classes 1–20; ignored)`,
    )
  }
}
