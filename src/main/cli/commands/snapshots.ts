import { resolve } from 'node:path'
import { JobStatus } from '../../../shared/api'
import {
  isSelectionMode,
  SELECTION_MODES,
  SELECTION_MODE_LABELS,
  SNAPSHOT_PART_LABELS,
  type RunSnapshots,
  type SelectionMode,
} from '../../../shared/snapshots'
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
import { pct } from './run'

export const snapshotsCommand: Command = {
  name: 'snapshots',
  summary: 'a run’s snapshot curve and the snapshot it uses (held-out, oracle or last)',
  usage: `Usage: pss-studio snapshots --project DIR --run ID [--select ${SELECTION_MODES.join('|')}] [--evaluate] [--json]

Prints the FIoU of every evaluated snapshot of an album run on the selection part, the report part and the
full validation split, and the snapshot the run uses. The split is divided (seeded, stratified by cluster)
into a selection part, which chooses the snapshot, and a report part, which reports it.
  heldout  best FIoU on the selection part; its honest numbers are on the report part
  oracle   best FIoU on the full split, as the paper's released code does: optimistic, labelled oracle
  last     the final weights

Options:
  --project DIR   the project
  --run ID        the album run
  --select MODE   evaluate the snapshots again and use MODE (the album is predicted again when the
                  chosen snapshot changes; the run's metrics become that snapshot's)
  --evaluate      evaluate the snapshots again with the run's mode (e.g. after its masks changed)
  --json          print the snapshots as JSON (scores as fractions 0–1)`,

  async run(argv: string[], io: CliIo): Promise<number> {
    const opts = parseCommandArgs(argv, {
      project: { type: 'string' },
      run: { type: 'string' },
      select: { type: 'string' },
      evaluate: { type: 'boolean' },
      json: { type: 'boolean' },
    })
    const project = resolve(requireString(opts.project, 'project'))
    const runText = requireString(opts.run, 'run')
    const runId = Number(runText)
    if (!/^\d+$/.test(runText) || !Number.isSafeInteger(runId) || runId < 1)
      throw new UsageError(`--run must be a run id (a positive integer), got "${runText}"`)
    let select: SelectionMode | undefined
    if (opts.select !== undefined) {
      if (!isSelectionMode(opts.select))
        throw new UsageError(`--select must be one of ${SELECTION_MODES.join(', ')}, got "${opts.select}"`)
      select = opts.select
    }
    const { snaps, failed } = await withStudio('cli', async (studio) => {
      await studio.openProjectPath(project)
      const current = await studio.api.runSnapshots({ runId })
      const needs = select !== undefined || opts.evaluate === true || current.points.length === 0
      let failed: string | null = null
      if (needs) {
        const job = await waitForJob(
          studio,
          (s) => s.api.evaluateSnapshots({ runId, select }),
          io,
          (j) => io.err(formatProgress(j)),
        )
        for (const p of job.problems) io.err(`problem: ${p.file}: ${p.reason}`)
        if (job.status !== JobStatus.Done) failed = `${job.status}${job.error ? `: ${job.error}` : ''}`
      }
      return { snaps: await studio.api.runSnapshots({ runId }), failed }
    })
    if (opts.json) printJson(io, snaps)
    else printSnapshots(snaps, io)
    if (failed !== null) {
      io.err(`pss-studio snapshots: the evaluation ${failed}`)
      return EXIT_FAILURE
    }
    return EXIT_OK
  },
}

function printSnapshots(s: RunSnapshots, io: CliIo): void {
  const mb = (s.onDisk.bytes / 1024 / 1024).toFixed(1)
  io.out(`Run #${s.runId} · stage ${s.stage ?? '—'} · ${s.onDisk.count} snapshots on disk (${mb} MB)`)
  io.out('  iteration   FIoU selection   FIoU report   FIoU full   MIoU(all21) full')
  const c = s.choice
  for (const p of s.points) {
    const mark =
      c && c.iteration === p.iteration && c.stage === p.stage
        ? c.oracle
          ? '  ← chosen (ORACLE)'
          : '  ← chosen'
        : ''
    const f = (part: 'selection' | 'report' | 'full'): string => pct(p.parts[part]?.fiou ?? null).padStart(14)
    io.out(
      `  ${String(p.iteration).padStart(9)} ${f('selection')} ${f('report')} ${f('full')} ${pct(p.parts.full?.miouAll21 ?? null).padStart(18)}${mark}`,
    )
  }
  if (!c) {
    io.out('No snapshot chosen yet.')
    return
  }
  const chosen = s.points.find((p) => p.iteration === c.iteration && p.stage === c.stage)
  io.out(`Selection: ${SELECTION_MODE_LABELS[c.mode]} — ${c.modeReason}`)
  io.out(
    `Chosen: ${c.stage} snapshot ${c.iteration}${c.chosenOn ? ` (best FIoU on the ${SNAPSHOT_PART_LABELS[c.chosenOn]})` : ''}`,
  )
  if (chosen) {
    const rep = chosen.parts[c.reportOn]
    const full = chosen.parts.full
    io.out(
      `Reported on the ${SNAPSHOT_PART_LABELS[c.reportOn]}: FIoU ${pct(rep?.fiou ?? null)} · MIoU(all21) ${pct(rep?.miouAll21 ?? null)} · ${rep?.images ?? 0} images${c.oracle ? ' — ORACLE: these images also chose the snapshot' : ''}`,
    )
    if (c.reportOn !== 'full')
      io.out(
        `On the full split (includes the selection part): FIoU ${pct(full?.fiou ?? null)} · MIoU(all21) ${pct(full?.miouAll21 ?? null)}`,
      )
  }
  io.out(
    `Division: ${c.division}; ${c.partImages.selection.length} selection / ${c.partImages.report.length} report images`,
  )
}
