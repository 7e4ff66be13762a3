import { resolve } from 'node:path'
import type { RunSummary } from '../../../shared/runs'
import { EXIT_OK, parseCommandArgs, printJson, requireString, type CliIo, type Command } from '../args'
import { withStudio } from '../studio-session'
import { interruptedRunJobs, interruptedRunLines } from '../interrupted-note'
import { findAlbum, pct } from './run'

export const runsCommand: Command = {
  name: 'runs',
  summary: 'list a project’s runs with their status and metrics',
  usage: `Usage: pss-studio runs --project DIR [--album NAME] [--json]

Lists the runs of the project (source models and album runs), newest first, with status, backend,
the split version they were scored on and their metrics (percent: FIoU, MIoU over all 21 classes,
MIoU over present classes). Runs scored on different splits or mask versions are not comparable.

Options:
  --project DIR   the project
  --album NAME    only the runs of this album
  --json          print the runs as JSON (metrics as fractions 0–1)`,

  async run(argv: string[], io: CliIo): Promise<number> {
    const opts = parseCommandArgs(argv, {
      project: { type: 'string' },
      album: { type: 'string' },
      json: { type: 'boolean' },
    })
    const project = resolve(requireString(opts.project, 'project'))
    const { runs, interrupted } = await withStudio('cli', async (studio) => {
      await studio.openProjectPath(project)
      const albumId = opts.album !== undefined ? (await findAlbum(studio, opts.album)).id : undefined
      return { runs: await studio.api.listRuns({ albumId }), interrupted: interruptedRunJobs(studio) }
    })
    if (opts.json) printJson(io, runs)
    else {
      printRuns(runs, io)
      for (const line of interruptedRunLines(interrupted)) io.out(line)
    }
    return EXIT_OK
  },
}

function printRuns(runs: RunSummary[], io: CliIo): void {
  io.out(`Runs (${runs.length})`)
  for (const r of runs) {
    const where =
      r.kind === 'source'
        ? 'source model'
        : `on "${r.albumName ?? '(deleted album)'}" split #${r.splitId ?? '?'} v${r.splitVersion ?? '?'}`
    const m = r.metrics
    const scores = m
      ? ` · FIoU ${pct(m.fiou)} · MIoU(paper) ${pct(m.miouPaper)} · MIoU(all21) ${pct(m.miouAll21)} · MIoU(present) ${pct(m.miouPresent)} · ${m.images} images`
      : ''
    io.out(
      `  #${r.id} ${r.method} ${where} · ${r.status}${r.backend ? ` · ${r.backend}` : ''}${scores}${r.error ? ` — ${r.error}` : ''}`,
    )
  }
}
