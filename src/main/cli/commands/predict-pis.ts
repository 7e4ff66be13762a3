/**
 * `pss-studio predict --model RUN_DIR|FILE.pth --pis ROOT [--users all|id1,…] --out DIR`: the paper's test
 * workflow (PSS_test.sh) over a PIS tree. Each chosen user's album images are predicted into
 * `<out>/id{k}/{name}.png` + `{name}_color.png` (VOC palette); a run with a group context module predicts
 * in batches of one group of that user's `train_cluster<K>.txt` (engine/infer/pis-test-plan.ts), a plain
 * run in consecutive batches, a torchvision .pth one image at a time with its own preprocessing.
 * `pss-studio eval --pis ROOT --pred <out>` then scores every user (eval.ts).
 */
import * as path from 'node:path'
import {
  describeGeometry,
  FORWARD_MAX_PIXELS,
  pisTestPlan,
  readRunnablePth,
  runTestContext,
  startInferenceWorker,
  startPthInferenceWorker,
  type BackendChoice,
  type CrfParams,
  type FileProblem,
  type InferGeometry,
  type InferOutcome,
  type PisTestPlan,
  type PthInferOutcome,
  type ResolvedGeometry,
  type TtaOptions,
} from '../../engine/api'
import { resolveMaxPixels } from '../../media/limits'
import { EXIT_FAILURE, printJson, UsageError, type CliIo } from '../args'
import { awaitCancellable } from '../worker-job'
import { describePreprocessing, predictExitCode } from './predict-pth'

export interface PredictPisArgs {
  root: string
  outDir: string
  users: 'all' | string[]
  /** Exactly one of the two models. */
  runDir: string | null
  pth: string | null
  /** Images per batch; null = the run's training batch (a .pth: 1). */
  batch: number | null
  geometry: InferGeometry
  /** (.pth) long side to resize to first; null = native resolution. */
  size: number | null
  tta: TtaOptions | null
  crf: CrfParams | null
  backend: BackendChoice
  json: boolean
}

export interface PredictPisJson {
  model: string
  pis: string
  out: string
  /** Batches follow each user's clusters (the model has a group context module). */
  grouped: boolean
  batch: number
  /** (run) the geometry the images went through; null for a .pth (see preprocessing). */
  geometry: ResolvedGeometry | null
  preprocessing: string | null
  users: {
    id: string
    out: string
    images: number
    predicted: number
    clusterFile: string | null
    k: number | null
    batches: number
    ungrouped: number
  }[]
  predicted: number
  skipped: FileProblem[]
  notes: string[]
  wallSeconds: number
}

/** `all` or `id1,id3`. */
export function parseUsers(v: string | undefined): 'all' | string[] {
  if (v === undefined || v.trim() === 'all') return 'all'
  const ids = v.split(',').map((s) => s.trim())
  if (ids.some((id) => !/^id\d+$/.test(id)))
    throw new UsageError(
      `--users must be "all" or a comma-separated list of user ids like id1,id3, got "${v}"`,
    )
  return ids
}

function plan(a: PredictPisArgs): PisTestPlan {
  const ctx = a.runDir !== null ? runTestContext(a.runDir) : { grouped: false, batch: 1 }
  return pisTestPlan({
    root: a.root,
    users: a.users,
    outDir: a.outDir,
    grouped: ctx.grouped,
    batch: a.pth !== null ? 1 : (a.batch ?? ctx.batch),
  })
}

async function predictRun(
  a: PredictPisArgs & { runDir: string },
  p: PisTestPlan,
  skipped: FileProblem[],
  io: CliIo,
): Promise<{ outcome: InferOutcome; perUser: Map<string, number> }> {
  const perUser = new Map<string, number>()
  const handle = startInferenceWorker(
    {
      runDir: a.runDir,
      backend: a.backend,
      tta: a.tta,
      crf: a.crf,
      geometry: a.geometry,
      albums: p.users
        .filter((u) => u.batches.length > 0)
        .map((u) => ({ outDir: u.outDir, batches: u.batches })),
    },
    {
      onStarted: (s) =>
        io.err(
          `pss-studio predict: ${s.total} images of ${p.users.length} users, checkpoint iteration ${s.checkpointIteration}, ` +
            `backend ${s.backend.name}; ${describeGeometry(s.geometry)}`,
        ),
      onProgress: (pr) => io.err(`pss-studio predict: ${pr.done}/${pr.total} (${path.basename(pr.outDir)})`),
      onProblem: (pr) => {
        skipped.push(pr)
        io.err(`pss-studio predict: skipped ${pr.file}: ${pr.reason}`)
      },
    },
  )
  const outcome = await awaitCancellable(handle, io.signal)
  // Per user: its images less the ones the worker skipped (skips name their file, inside the user's album).
  for (const u of p.users) {
    const lost = skipped.filter((s) => s.file.startsWith(u.dir + path.sep)).length
    perUser.set(u.id, outcome.status === 'done' ? u.images - lost : 0)
  }
  return { outcome, perUser }
}

async function predictPth(
  a: PredictPisArgs & { pth: string },
  p: PisTestPlan,
  skipped: FileProblem[],
  io: CliIo,
): Promise<{ outcome: PthInferOutcome; perUser: Map<string, number> }> {
  const perUser = new Map<string, number>()
  const maxPixels = resolveMaxPixels()
  let total: PthInferOutcome = {
    status: 'done',
    predicted: 0,
    skipped: 0,
    msPerImage: 0,
    networkMsPerImage: 0,
  }
  for (const u of p.users) {
    const items = u.batches.flat()
    if (items.length === 0) continue
    const handle = startPthInferenceWorker(
      {
        pth: a.pth,
        backend: a.backend,
        outDir: u.outDir,
        items,
        size: a.size,
        maxPixels,
        maxForwardPixels: Math.min(maxPixels, FORWARD_MAX_PIXELS),
      },
      {
        onProblem: (pr) => {
          skipped.push(pr)
          io.err(`pss-studio predict: skipped ${pr.file}: ${pr.reason}`)
        },
      },
    )
    const o = await awaitCancellable(handle, io.signal)
    io.err(
      `pss-studio predict: ${u.id}: ${o.predicted}/${items.length} (${o.msPerImage.toFixed(1)} ms per image)`,
    )
    perUser.set(u.id, o.predicted)
    const n = total.predicted + o.predicted
    total = {
      status: o.status,
      predicted: n,
      skipped: total.skipped + o.skipped,
      msPerImage: n === 0 ? 0 : (total.msPerImage * total.predicted + o.msPerImage * o.predicted) / n,
      networkMsPerImage:
        n === 0 ? 0 : (total.networkMsPerImage * total.predicted + o.networkMsPerImage * o.predicted) / n,
    }
    if (o.status === 'cancelled') break
  }
  return { outcome: total, perUser }
}

export async function runPredictPis(a: PredictPisArgs, io: CliIo): Promise<number> {
  const t0 = performance.now()
  let p: PisTestPlan
  try {
    if (a.pth !== null) await readRunnablePth(a.pth) // a bad checkpoint fails before anything is written
    p = plan(a)
  } catch (e) {
    io.err(`pss-studio predict: ${e instanceof Error ? e.message : String(e)}`)
    return EXIT_FAILURE
  }
  for (const pr of p.problems) io.err(`pss-studio predict: skipped ${pr.file}: ${pr.reason}`)
  for (const n of p.notes) io.err(`pss-studio predict: note: ${n}`)
  io.err(
    `pss-studio predict: ${p.users.map((u) => u.id).join(', ')}: ` +
      (p.grouped
        ? `group-context batches of ≤ ${p.batch} from each user's clusters`
        : `no group context, batches of ${p.batch}`),
  )
  const skipped: FileProblem[] = [...p.problems]
  let status: 'done' | 'cancelled'
  let predicted: number
  let perUser: Map<string, number>
  let geometry: ResolvedGeometry | null = null
  try {
    if (a.runDir !== null) {
      const r = await predictRun({ ...a, runDir: a.runDir }, p, skipped, io)
      ;({ status, predicted } = r.outcome)
      geometry = r.outcome.geometry
      perUser = r.perUser
    } else {
      const r = await predictPth({ ...a, pth: a.pth! }, p, skipped, io)
      ;({ status, predicted } = r.outcome)
      perUser = r.perUser
    }
  } catch (e) {
    io.err(`pss-studio predict: ${e instanceof Error ? e.message : String(e)}`)
    return EXIT_FAILURE
  }
  const json: PredictPisJson = {
    model: a.runDir ?? a.pth!,
    pis: a.root,
    out: a.outDir,
    grouped: p.grouped,
    batch: p.batch,
    geometry,
    preprocessing: a.pth !== null ? describePreprocessing(a.size) : null,
    users: p.users.map((u) => ({
      id: u.id,
      out: u.outDir,
      images: u.images,
      predicted: perUser.get(u.id) ?? 0,
      clusterFile: u.clusterFile,
      k: u.k,
      batches: u.batches.length,
      ungrouped: u.ungrouped,
    })),
    predicted,
    skipped,
    notes: p.notes,
    wallSeconds: (performance.now() - t0) / 1000,
  }
  if (a.json) printJson(io, json)
  else {
    io.out(`Predicted ${predicted} images of ${p.users.length} users into ${a.outDir}/id{k}/`)
    for (const u of json.users)
      io.out(
        `  ${u.id}: ${u.predicted}/${u.images} images, ${u.batches} batches` +
          (u.clusterFile ? ` from ${path.basename(u.clusterFile)} (K = ${u.k})` : ''),
      )
    io.out(
      geometry ? `Geometry: ${describeGeometry(geometry)}` : `Preprocessing: ${json.preprocessing ?? ''}`,
    )
    if (skipped.length > 0)
      io.out(`Skipped ${skipped.length}: ${skipped.map((s) => path.basename(s.file)).join(', ')}`)
    io.out(`Score it: pss-studio eval --pis ${a.root} --pred ${a.outDir}`)
  }
  return predictExitCode({ status, predicted }, io)
}
