import { resolve } from 'node:path'
import { JobStatus } from '../../../shared/api'
import { variantKindOf, variantTitle, type VariantInfo } from '../../../shared/variants'
import { runDisplayNumbers, runName } from '../../../shared/run-names'
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

export const variantCommand: Command = {
  name: 'variant',
  summary: 'predict a done album run again with TTA and/or the dense CRF, scored as the run was',
  usage: `Usage: pss-studio variant --project DIR --run ID [--tta] [--crf] [--json]

Predicts the album of a done album run again with the run's own model (the snapshot its predictions came
from) and test-time augmentation (scales 0.5–1.5 with horizontal flips), the dense CRF (DeepLab's
setting), or both; scores the run's validation images against the run's mask versions; and stores the
predictions with their metrics and cost in the run's folder (runs/<id>/variants/<tta|crf|tta-crf>/).
Without --tta and --crf it lists the run's variants. SegSort runs have no variants.

Options:
  --project DIR   the project
  --run ID        the album run
  --tta           test-time augmentation (multi-scale + flip averaging of probabilities)
  --crf           dense CRF refinement of the probabilities
  --json          print the variants as JSON (scores as fractions 0–1, cost in seconds)`,

  async run(argv: string[], io: CliIo): Promise<number> {
    const opts = parseCommandArgs(argv, {
      project: { type: 'string' },
      run: { type: 'string' },
      tta: { type: 'boolean' },
      crf: { type: 'boolean' },
      json: { type: 'boolean' },
    })
    const project = resolve(requireString(opts.project, 'project'))
    const runText = requireString(opts.run, 'run')
    const runId = Number(runText)
    if (!/^\d+$/.test(runText) || !Number.isSafeInteger(runId) || runId < 1)
      throw new UsageError(`--run must be a run id (a positive integer), got "${runText}"`)
    const tta = opts.tta === true
    const crf = opts.crf === true
    const wanted = variantKindOf(tta, crf)
    const { variants, failed, base, name } = await withStudio('cli', async (studio) => {
      await studio.openProjectPath(project)
      let failed: string | null = null
      if (wanted) {
        const job = await waitForJob(
          studio,
          (s) => s.api.predictVariant({ runId, tta, crf }),
          io,
          (j) => io.err(formatProgress(j)),
        )
        for (const p of job.problems) io.err(`problem: ${p.file}: ${p.reason}`)
        if (job.status !== JobStatus.Done) failed = `${job.status}${job.error ? `: ${job.error}` : ''}`
      }
      const run = await studio.api.getRun({ runId })
      const all = await studio.api.listVariants({ runId })
      const name = runName(run, runDisplayNumbers(await studio.api.listRuns({})))
      return {
        variants: wanted ? all.filter((v) => v.variant === wanted) : all,
        failed,
        base: run.metrics,
        name,
      }
    })
    if (opts.json) printJson(io, variants)
    else printVariants(runId, name, base, variants, io)
    if (failed !== null) {
      io.err(`pss-studio variant: the variant ${failed}`)
      return EXIT_FAILURE
    }
    return EXIT_OK
  },
}

const sec = (v: number | null): string => (v === null ? '—' : v.toFixed(3))

function printVariants(
  runId: number,
  name: string,
  base: { fiou: number; miouPaper: number | null; miouAll21: number; miouPresent: number | null } | null,
  list: VariantInfo[],
  io: CliIo,
): void {
  // The name people read, and the id the CLI takes (--run).
  io.out(
    `${name} (run id ${runId}): FIoU ${pct(base?.fiou ?? null)} · MIoU(paper) ${pct(base?.miouPaper ?? null)} · MIoU(all21) ${pct(base?.miouAll21 ?? null)} · MIoU(present) ${pct(base?.miouPresent ?? null)}`,
  )
  if (list.length === 0) {
    io.out('No variants yet (add --tta and/or --crf to make one).')
    return
  }
  for (const v of list) {
    const m = v.metrics
    const c = v.cost
    io.out(
      `${variantTitle(name, v.variant).padEnd(24)} ${v.status.padEnd(8)} FIoU ${pct(m?.fiou ?? null)} · MIoU(paper) ${pct(m?.miouPaper ?? null)} · MIoU(all21) ${pct(m?.miouAll21 ?? null)} · MIoU(present) ${pct(m?.miouPresent ?? null)} on ${m?.images ?? 0} images${v.current || v.status !== 'done' ? '' : ' (made with an earlier snapshot of the run)'}`,
    )
    if (c)
      io.out(
        `  cost: ${sec(c.seconds)} s for ${c.images} images · ${sec(c.secondsPerImage)} s/image (network ${sec(c.predictSecondsPerImage)} s in ${c.passes} passes, plain pass ${sec(c.plainSecondsPerImage)} s, CRF ${sec(c.crfSecondsPerImage)} s)`,
      )
  }
}
