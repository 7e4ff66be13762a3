/**
 * `pss-studio model inspect|add|list`: PyTorch checkpoints as source models.
 *   (--arch ARCH on inspect/add: the architecture the file must hold; default auto = whatever is detected)
 *   inspect --pth FILE            what a checkpoint is — architecture (detected from the state-dict keys and
 *                                 shapes), classes, parameter count, aux head, sha256 — and whether the
 *                                 studio can use it. Exit 1 when it cannot be read, recognised or used.
 *   add --project DIR --pth FILE  the same checks, then a copy stored in the project (models/); exit 1 with
 *                                 the reason when refused, the project unchanged.
 *   list --project DIR            the project's imported source models.
 */
import { resolve } from 'node:path'
import { ErrorCode } from '../../../shared/api'
import type { SourceModel } from '../../../shared/source-models'
import { toApiError } from '../../app/api-error'
import { ArchitectureError, TORCH_ARCHS, type TorchArch } from '../../engine/api'
import { inspectPth, type PthInspection } from '../../engine/api'
import { TorchCheckpointError } from '../../engine/api'
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

const SUBCOMMANDS = ['inspect', 'add', 'list'] as const

export const modelCommand: Command = {
  name: 'model',
  summary: 'PyTorch .pth checkpoints: inspect one, add one to a project as a source model, list them',
  usage: `Usage: pss-studio model inspect --pth FILE [--arch auto|ARCH] [--json]
       pss-studio model add --project DIR --pth FILE [--arch auto|ARCH] [--name NAME] [--json]
       pss-studio model list --project DIR [--json]

Reads a checkpoint written by torch.save (a state dict, or a checkpoint dict holding one under 'state_dict',
'model', …; a DataParallel 'module.' prefix is removed) without running any code from it, detects the
architecture (lraspp_mobilenet_v3_large, deeplabv3_mobilenet_v3_large, deeplabv3_resnet50/101, fcn_resnet50,
pss_psp_resnet50 = the PSS authors' released network, or the ImageNet backbones resnet50 / mobilenet_v3_large)
and says whether the studio can use it (21 PASCAL VOC classes, finite weights).

  inspect   print what the checkpoint is
  add       check it, then store a copy in the project's models/ folder as a source model (ImageNet
            backbones are refused: they are not segmentation models); a checkpoint already in the project
            (same sha256) is refused, naming the model it matches; a refused file leaves the project unchanged
  list      the project's source models

Options:
  --project DIR   the project (add, list)
  --pth FILE      the checkpoint (inspect, add)
  --name NAME     the model's name in the project (add; default: the file's name without .pth)
  --arch ARCH     auto (default): the architecture detected from the state dict's keys and shapes; or one
                  of the names above, which the file must hold (exit 1 otherwise, the project unchanged)
  --json          print the result as JSON`,

  async run(argv: string[], io: CliIo): Promise<number> {
    const [sub, ...rest] = argv
    switch (sub) {
      case 'inspect':
        return inspect(rest, io)
      case 'add':
        return add(rest, io)
      case 'list':
        return list(rest, io)
      default:
        throw new UsageError(
          sub === undefined
            ? `missing subcommand (${SUBCOMMANDS.join(', ')})`
            : `unknown subcommand "${sub}" (${SUBCOMMANDS.join(', ')})`,
        )
    }
  },
}

/** `--arch`: null for auto (the default), else the architecture the checkpoint must be. */
function expectedArch(value: string | undefined): TorchArch | null {
  if (value === undefined || value === 'auto') return null
  if (!(TORCH_ARCHS as readonly string[]).includes(value))
    throw new UsageError(`--arch must be auto or one of ${TORCH_ARCHS.join(', ')}, got "${value}"`)
  return value as TorchArch
}

/** Why a detected architecture is not the one `--arch` asked for (null: it is, or --arch is auto). */
function archMismatch(file: string, detected: string, expected: TorchArch | null): string | null {
  if (expected === null || detected === expected) return null
  return `${file}: --arch ${expected} was given, but the checkpoint is ${detected} (detected from its keys and shapes)`
}

/**
 * inspectPth, with a refusal (unreadable, unknown architecture) printed and returned as null; `code` goes
 * into the --json refusal where the command reports one (add: as the API's refusals do).
 */
async function inspectOrReport(
  file: string,
  json: boolean,
  io: CliIo,
  code?: string,
): Promise<PthInspection | null> {
  try {
    return (await inspectPth(file)).inspection
  } catch (e) {
    if (e instanceof TorchCheckpointError || e instanceof ArchitectureError) {
      if (json) printJson(io, { file, ...(code ? { code } : {}), error: e.message })
      io.err(`pss-studio model: ${e.message}`)
      return null
    }
    throw e
  }
}

async function inspect(argv: string[], io: CliIo): Promise<number> {
  const opts = parseCommandArgs(argv, {
    pth: { type: 'string' },
    arch: { type: 'string' },
    json: { type: 'boolean' },
  })
  const file = resolve(requireString(opts.pth, 'pth'))
  const expected = expectedArch(opts.arch)
  const inspection = await inspectOrReport(file, opts.json === true, io)
  if (!inspection) return EXIT_FAILURE
  const mismatch = archMismatch(file, inspection.arch, expected)
  if (mismatch) {
    if (opts.json) printJson(io, { file, error: mismatch })
    io.err(`pss-studio model: ${mismatch}`)
    return EXIT_FAILURE
  }
  if (opts.json) printJson(io, inspection)
  else printInspection(inspection, io)
  if (!inspection.importable) {
    io.err(`pss-studio model: ${inspection.problem}`)
    return EXIT_FAILURE
  }
  return EXIT_OK
}

async function add(argv: string[], io: CliIo): Promise<number> {
  const opts = parseCommandArgs(argv, {
    project: { type: 'string' },
    pth: { type: 'string' },
    name: { type: 'string' },
    arch: { type: 'string' },
    json: { type: 'boolean' },
  })
  const project = resolve(requireString(opts.project, 'project'))
  const file = resolve(requireString(opts.pth, 'pth'))
  const expected = expectedArch(opts.arch)
  if (expected !== null) {
    // Checked before the project is opened: a refused file leaves it unchanged.
    const inspection = await inspectOrReport(file, opts.json === true, io, ErrorCode.BadArguments)
    if (!inspection) return EXIT_FAILURE
    const mismatch = archMismatch(file, inspection.arch, expected)
    if (mismatch) {
      if (opts.json) printJson(io, { file, code: ErrorCode.BadArguments, error: mismatch })
      io.err(`pss-studio model: ${mismatch}`)
      return EXIT_FAILURE
    }
  }
  let model: SourceModel
  try {
    model = await withStudio('cli', async (studio) => {
      await studio.openProjectPath(project)
      return studio.api.addSourceModel({
        path: file,
        ...(opts.name !== undefined ? { name: opts.name } : {}),
      })
    })
  } catch (e) {
    // Refusals (unreadable, unknown architecture, wrong classes, duplicate…) as { file, code, error } for --json.
    const { code, message } = toApiError(e).payload
    if (opts.json) printJson(io, { file, code, error: message })
    io.err(`pss-studio model: ${message}`)
    return EXIT_FAILURE
  }
  if (opts.json) printJson(io, model)
  else {
    io.out(`Added source model #${model.id} "${model.name}"`)
    printModel(model, io)
  }
  return EXIT_OK
}

async function list(argv: string[], io: CliIo): Promise<number> {
  const opts = parseCommandArgs(argv, { project: { type: 'string' }, json: { type: 'boolean' } })
  const project = resolve(requireString(opts.project, 'project'))
  const models = await withStudio('cli', async (studio) => {
    await studio.openProjectPath(project)
    return studio.api.listSourceModels({})
  })
  if (opts.json) printJson(io, models)
  else {
    io.out(`Source models (${models.length})`)
    for (const m of models) {
      io.out(
        `  #${m.id} "${m.name}" · ${m.arch} · ${m.classes} classes · ` +
          `${m.parameterCount.toLocaleString('en-US')} parameters · aux ${m.hasAux ? 'yes' : 'no'} · ` +
          `sha256 ${m.sha256.slice(0, 12)}… · ${m.file}`,
      )
    }
  }
  return EXIT_OK
}

function printModel(m: SourceModel, io: CliIo): void {
  io.out(`Architecture  ${m.arch}`)
  io.out(`Classes       ${m.classes}`)
  io.out(`Parameters    ${m.parameterCount.toLocaleString('en-US')} (${m.tensors} tensors)`)
  io.out(`Aux head      ${m.hasAux ? 'yes' : 'no'}`)
  io.out(`sha256        ${m.sha256}`)
  io.out(`Stored as     ${m.file} (${(m.bytes / 1e6).toFixed(1)} MB)`)
  io.out(`Imported from ${m.originalPath}`)
}

function printInspection(r: PthInspection, io: CliIo): void {
  const mb = (r.fileBytes / 1e6).toFixed(1)
  const notes = [
    r.wrappedIn ? `found under '${r.wrappedIn}'` : null,
    r.strippedPrefix ? `'${r.strippedPrefix}' prefix removed` : null,
  ].filter((x) => x !== null)
  io.out(`File          ${r.file} (${mb} MB)`)
  io.out(`sha256        ${r.sha256}`)
  io.out(`Architecture  ${r.arch}${r.backbone ? ' (ImageNet backbone, initialises a source model)' : ''}`)
  io.out(`Classes       ${r.classes}`)
  io.out(`Parameters    ${r.parameterCount.toLocaleString('en-US')} (${r.tensors} tensors)`)
  io.out(`Aux head      ${r.hasAux ? 'yes' : 'no'}`)
  io.out(`State dict    ${notes.length ? notes.join('; ') : 'at the top level'}`)
  io.out(`Usable        ${r.importable ? 'yes' : 'no'}`)
}
