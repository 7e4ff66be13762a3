import { resolve } from 'node:path'
import { JobStatus, type ImportSummary, type JobRecord, type StartedJob } from '../../../shared/api'
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
import { withStudio } from '../studio-session'
import type { Studio } from '../../app/studio'
import { formatProgress, waitForJob } from '../job-wait'

export const importCommand: Command = {
  name: 'import',
  summary: 'import photos (a folder, a PIS root or a VOC dataset) into a project',
  usage: `Usage: pss-studio import --project DIR (--folder DIR --album NAME [--recursive] | --pis ROOT | --voc ROOT [--name NAME]) [--copy | --no-copy] [--json]

Runs the import as a job of the project and waits for it. Progress goes to stderr; files that
could not be imported are listed, and the job still counts as finished.

Sources (exactly one):
  --folder DIR --album NAME   a folder of photos as a new album (--recursive: include subfolders)
  --pis ROOT                  a PIS dataset (personal/id{k}/… or the folder that holds personal/)
  --voc ROOT                  a VOC-format source dataset (VOCdevkit/VOC2012 or a folder holding it)
                              (--name NAME: its display name)

Options:
  --project DIR   the project to import into
  --copy          copy originals into the project (default for --folder and --pis)
  --no-copy       reference originals where they are (default for --voc)
  --json          print the finished job as JSON

Exit code: 0 when the job finished (even with per-file problems), 1 when it failed or was cancelled.`,

  async run(argv: string[], io: CliIo): Promise<number> {
    const opts = parseCommandArgs(argv, {
      project: { type: 'string' },
      folder: { type: 'string' },
      album: { type: 'string' },
      recursive: { type: 'boolean' },
      pis: { type: 'string' },
      voc: { type: 'string' },
      name: { type: 'string' },
      copy: { type: 'boolean' },
      'no-copy': { type: 'boolean' },
      json: { type: 'boolean' },
    })
    const project = resolve(requireString(opts.project, 'project'))
    const sources = [opts.folder, opts.pis, opts.voc].filter((s) => s !== undefined)
    if (sources.length !== 1) throw new UsageError('give exactly one of --folder, --pis or --voc')
    if (opts.copy && opts['no-copy']) throw new UsageError('--copy and --no-copy contradict each other')
    const copy = opts.copy ? true : opts['no-copy'] ? false : undefined
    if (opts.folder === undefined && (opts.album !== undefined || opts.recursive))
      throw new UsageError('--album and --recursive go with --folder')
    if (opts.voc === undefined && opts.name !== undefined) throw new UsageError('--name goes with --voc')
    const albumName = opts.folder !== undefined ? requireString(opts.album, 'album') : ''

    const start = (studio: Studio): Promise<StartedJob> => {
      if (opts.folder !== undefined)
        return studio.api.importFolder({
          dir: resolve(opts.folder),
          albumName,
          copy,
          recursive: opts.recursive ?? false,
        })
      if (opts.pis !== undefined) return studio.api.importPis({ root: resolve(opts.pis), copy })
      return studio.api.importVoc({ root: resolve(requireString(opts.voc, 'voc')), name: opts.name, copy })
    }

    const job = await withStudio('cli', async (studio) => {
      await studio.openProjectPath(project)
      return waitForJob(studio, start, io, (j) => io.err(formatProgress(j)))
    })
    report(job, io, opts.json === true)
    return job.status === JobStatus.Done ? EXIT_OK : EXIT_FAILURE
  },
}

function report(job: JobRecord, io: CliIo, json: boolean): void {
  for (const p of job.problems) io.err(`problem: ${p.file}: ${p.reason}`)
  if (job.problemCount > job.problems.length)
    io.err(`… and ${job.problemCount - job.problems.length} more problems (listed in the job's record)`)
  if (json) {
    printJson(io, job)
    return
  }
  if (job.status === JobStatus.Done) {
    const s = job.result as Partial<ImportSummary> | null
    io.out(
      `Import finished: ${s?.imported ?? 0} imported, ${s?.duplicates ?? 0} duplicates, ${s?.masks ?? 0} masks, ` +
        `${s?.rejected ?? 0} rejected, ${job.problemCount} problem${job.problemCount === 1 ? '' : 's'}`,
    )
  } else {
    io.err(`Import ${job.status}${job.error ? `: ${job.error}` : ''}`)
  }
}
