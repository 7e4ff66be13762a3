import { resolve } from 'node:path'
import { JobStatus, type JobRecord } from '../../../shared/api'
import type { ClusteringInfo } from '../../../shared/clustering'
import type { Studio } from '../../app/studio'
import type { ClusterJobResult } from '../../app/clustering-handlers'
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

export const clusterCommand: Command = {
  name: 'cluster',
  summary: "cluster an album's images into groups (k-means on colour or encoder features)",
  usage: `Usage: pss-studio cluster --project DIR --album NAME [--k N|auto] [--features color|encoder] [--run DIR] [--seed N] [--restarts N] [--json]

Clusters the album as a job of the project, waits for it, and stores the result as the album's newest
clustering (the groups the group-context method batches by). Progress goes to stderr.

Options:
  --project DIR          the project
  --album NAME           the album (its name, or its id as a number)
  --k N|auto             number of groups, or 'auto' (best silhouette); default round(images/8)
  --features KIND        'color' (colour/texture descriptor, default) or 'encoder' (needs --run)
  --run DIR              training run folder whose checkpoint's backbone gives the encoder features
  --seed N               k-means++ seed (default 0)
  --restarts N           k-means++ restarts, the best is kept (default 10)
  --json                 print {job, clustering} as JSON

Exit code: 0 when the clustering was stored, 1 when the job failed or was cancelled, 2 on bad usage.`,

  async run(argv: string[], io: CliIo): Promise<number> {
    const opts = parseCommandArgs(argv, {
      project: { type: 'string' },
      album: { type: 'string' },
      k: { type: 'string' },
      features: { type: 'string' },
      run: { type: 'string' },
      seed: { type: 'string' },
      restarts: { type: 'string' },
      json: { type: 'boolean' },
    })
    const project = resolve(requireString(opts.project, 'project'))
    const albumArg = requireString(opts.album, 'album')
    const k = parseK(opts.k)
    const features = opts.features ?? 'color'
    if (features !== 'color' && features !== 'encoder') {
      throw new UsageError(`--features must be color or encoder, got "${features}"`)
    }
    if (features === 'encoder' && opts.run === undefined)
      throw new UsageError('--features encoder needs --run DIR')
    const seed = parseCount(opts.seed, 'seed', 0)
    const restarts = parseCount(opts.restarts, 'restarts', 1)

    const out = await withStudio('cli', async (studio) => {
      await studio.openProjectPath(project)
      const albumId = await findAlbum(studio, albumArg)
      const job = await waitForJob(
        studio,
        (s) =>
          s.api.clusterAlbum({
            albumId,
            ...(k !== undefined ? { k } : {}),
            features,
            ...(opts.run !== undefined ? { runDir: resolve(opts.run) } : {}),
            ...(seed !== undefined ? { seed } : {}),
            ...(restarts !== undefined ? { restarts } : {}),
          }),
        io,
        (j) => io.err(formatProgress(j)),
      )
      const id = (job.result as ClusterJobResult | null)?.clusteringId ?? null
      const clustering =
        id === null
          ? null
          : ((await studio.api.listClusterings({ albumId })).find((c) => c.id === id) ?? null)
      return { job, clustering }
    })
    report(out.job, out.clustering, io, opts.json === true)
    return out.job.status === JobStatus.Done && out.clustering ? EXIT_OK : EXIT_FAILURE
  },
}

function parseK(v: string | undefined): number | 'auto' | undefined {
  if (v === undefined) return undefined
  if (v === 'auto') return 'auto'
  if (!/^\d+$/.test(v) || Number(v) < 1)
    throw new UsageError(`--k must be a whole number ≥ 1 or "auto", got "${v}"`)
  return Number(v)
}

function parseCount(v: string | undefined, flag: string, min: number): number | undefined {
  if (v === undefined) return undefined
  if (!/^\d+$/.test(v) || Number(v) < min)
    throw new UsageError(`--${flag} must be a whole number ≥ ${min}, got "${v}"`)
  return Number(v)
}

async function findAlbum(studio: Studio, arg: string): Promise<number> {
  const albums = await studio.api.listAlbums({})
  const byName = albums.filter((a) => a.name === arg)
  if (byName.length === 1) return byName[0]!.id
  if (byName.length > 1)
    throw new UsageError(`${byName.length} albums are named "${arg}"; give its id instead`)
  if (/^\d+$/.test(arg)) {
    const hit = albums.find((a) => a.id === Number(arg))
    if (hit) return hit.id
  }
  const names = albums.map((a) => `"${a.name}"`).join(', ') || 'none'
  throw new UsageError(`no album "${arg}" in the project (albums: ${names})`)
}

function report(job: JobRecord, c: ClusteringInfo | null, io: CliIo, json: boolean): void {
  for (const p of job.problems) io.err(`problem: ${p.file}: ${p.reason}`)
  if (json) {
    printJson(io, { job, clustering: c })
    return
  }
  if (job.status === JobStatus.Done && c) {
    const sil = typeof c.meta.silhouette === 'number' ? c.meta.silhouette.toFixed(3) : 'n/a'
    const feats = (c.meta.features as { kind?: string } | undefined)?.kind ?? '?'
    io.out(
      `Clustering ${c.id} "${c.name}": K = ${c.k} (${feats} features), silhouette ${sil}, group sizes ${c.sizes.join(' ')}`,
    )
  } else {
    io.err(`Clustering ${job.status}${job.error ? `: ${job.error}` : ''}`)
  }
}
