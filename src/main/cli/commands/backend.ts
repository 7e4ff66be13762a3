import { BACKEND_CHOICES, isBackendChoice } from '../../engine/api'
// Types only: importing select-backend.ts itself would load tfjs on the CLI's thread.
import type { BackendReport } from '../../engine/api'
import { probeBackend, resolveForceAlias } from '../../engine/api'
import {
  EXIT_FAILURE,
  EXIT_OK,
  parseCommandArgs,
  printJson,
  UsageError,
  type CliIo,
  type Command,
} from '../args'

/** Said whatever was chosen: the way to the GPU backend (issue 3: "says … how to get the GPU one"). */
export const GPU_BACKEND_HINT =
  'GPU training: install @tensorflow/tfjs-node-gpu@4.22 (NVIDIA GPU with CUDA 11.2 + cuDNN 8.1; its install ' +
  'downloads libtensorflow 2.9.1 from Google, or from a mirror named by TFJS_NODE_CDN_STORAGE); it is then ' +
  'chosen first (`pss-studio backend --force gpu` checks that it starts)'

export const backendCommand: Command = {
  name: 'backend',
  summary:
    'show the compute backend the engine trains on, why better ones were skipped, and how to get the GPU one',
  usage: `Usage: pss-studio backend [--json] [--force NAME]

Options:
  --force NAME   require this backend: ${BACKEND_CHOICES.join(', ')}, gpu (= tfjs-node-gpu), node (= tfjs-node)
                 or auto; exits 1 if it cannot start here
  --json         print the report as JSON`,

  async run(argv: string[], io: CliIo): Promise<number> {
    const opts = parseCommandArgs(argv, { force: { type: 'string' }, json: { type: 'boolean' } })
    const force = resolveForceAlias(opts.force)
    if (
      force !== undefined &&
      force.trim().toLowerCase() !== 'auto' &&
      !isBackendChoice(force.trim().toLowerCase())
    ) {
      throw new UsageError(
        `--force '${opts.force}' is not a backend; allowed: ${BACKEND_CHOICES.join(', ')}, gpu, node or auto`,
      )
    }
    let report: BackendReport
    try {
      report = await probeBackend(force === undefined ? {} : { force: force.trim().toLowerCase() })
    } catch (e) {
      io.err(`pss-studio backend: ${e instanceof Error ? e.message : String(e)}`)
      io.err(GPU_BACKEND_HINT)
      return EXIT_FAILURE
    }
    if (opts.json)
      printJson(io, { ...report, gpuHint: report.name === 'tfjs-node-gpu' ? null : GPU_BACKEND_HINT })
    else printReport(report, io)
    return EXIT_OK
  },
}

function printReport(r: BackendReport, io: CliIo): void {
  io.out(`Backend  ${r.name} (tfjs backend '${r.tfBackend}')${r.forced ? ', forced' : ''}`)
  io.out(`Device   ${r.device}`)
  io.out(
    `Kernels  ${r.trainingKernels.length ? `project training kernels: ${r.trainingKernels.join(', ')}` : 'the backend’s own'}`,
  )
  if (r.reasons.length) {
    io.out(r.forced ? 'Notes' : 'Better backends skipped')
    for (const reason of r.reasons) io.out(`  ${reason}`)
  }
  if (r.name !== 'tfjs-node-gpu') io.out(GPU_BACKEND_HINT)
}
