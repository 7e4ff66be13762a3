/**
 * `pss-studio demo`: the first complete loop on the synthetic benchmark — generate it (unless `--out`
 * already holds one of the same preset), train No-DA on its source set, predict every album, score each
 * user on its validation images next to trivial constant predictors, print the per-user table and write
 * `<out>/report.html`. Training and inference run in the engine worker; this thread loads no tfjs.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import {
  generateSyntheticBenchmark,
  isPresetName,
  PRESET_NAMES,
  type PresetName,
} from '../../datasets/synthetic'
import { writeFileAtomic } from '../../files/atomic-file'
import {
  nodaReportHtml,
  nodaTable,
  runNoda,
  type MethodScores,
  type NodaResult,
  type ReportThumb,
} from '../../engine/api'
import { runInferVariants, type InferVariant, type VariantResult } from '../../engine/api'
import { EXIT_OK, UsageError, parseCommandArgs, type CliIo, type Command } from '../args'

/**
 * Iterations per preset. tiny: 700 steps ≈ 90 s of training on 2 shared CPU cores (wasm), inside the
 * CI budget of 3 minutes. demo: 3000 steps, 7.5 minutes in all on a quiet 2-core machine (measured,
 * docs/BENCHMARKS.md; the budget is 15). full: not measured.
 */
export const DEMO_ITERATIONS: Record<PresetName, number> = {
  tiny: 700,
  demo: 3000,
  full: 8000,
  verdict: 1000,
}
/**
 * Base learning rate and crop side. Measured on tiny (seed 1, 500 steps, mean FIoU over users):
 * lr 0.01 → 1.1, 0.05 → 5.7, 0.1 → 2.1 at 64²; 96² with 300 steps (same time) → 1.3.
 */
const DEMO_LR = 0.05
const DEMO_SIZE = 64
const DEMO_SEED = 1

export interface DemoJson {
  methods: { noda: MethodScores; trivial: MethodScores & { method: string } } & Record<string, MethodScores>
  backend: string
  wallSeconds: number
  /** With --tta/--crf: each post-processing variant of the No-DA run, its wall seconds and per-image cost. */
  postprocess?: Record<string, Omit<VariantResult, 'name' | 'mean' | 'predictionsDir'>>
}

/** The post-processing variants asked for (+TTA, +CRF, and both when both are asked). */
function demoVariants(tta: boolean, crf: boolean): InferVariant[] {
  const v: InferVariant[] = []
  if (tta) v.push({ name: 'noda_tta', tta: {}, crf: null })
  if (crf) v.push({ name: 'noda_crf', tta: null, crf: {} })
  if (tta && crf) v.push({ name: 'noda_tta_crf', tta: {}, crf: {} })
  return v
}

function parseIterations(v: string | undefined, preset: PresetName): number {
  if (v === undefined) return DEMO_ITERATIONS[preset]
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 1_000_000)
    throw new UsageError(`--iterations must be an integer from 1 to 1000000, got "${v}"`)
  return Number(v)
}

/** Reuses a benchmark of the same preset in `dir`, else generates one there. */
async function ensureBenchmark(dir: string, preset: PresetName, io: CliIo): Promise<void> {
  const manifest = path.join(dir, 'manifest.json')
  if (fs.existsSync(manifest)) {
    const m = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { preset?: unknown; seed?: unknown }
    if (m.preset === preset && m.seed === DEMO_SEED) {
      io.err(`pss-studio demo: using the ${preset} benchmark already in ${dir}`)
      return
    }
  }
  io.err(`pss-studio demo: generating the ${preset} benchmark in ${dir}`)
  await generateSyntheticBenchmark({ out: dir, preset, seed: DEMO_SEED, overwrite: true, signal: io.signal })
}

/** The better of the trivial predictors by mean FIoU (ties: the first). */
function bestTrivial(r: NodaResult): MethodScores & { method: string } {
  const names = ['trivial_background', 'trivial_majority', 'trivial_majority_fg'] as const
  let best: (typeof names)[number] = names[0]
  for (const n of names) if (r.mean[n].fiou > r.mean[best].fiou) best = n
  return { ...r.mean[best], method: best }
}

function thumbs(r: NodaResult, benchmark: string, perUser: number): ReportThumb[] {
  const out: ReportThumb[] = []
  for (const u of r.users) {
    const dir = path.join(benchmark, 'personal', u.id)
    const val = fs.existsSync(path.join(dir, 'SegmentationClass'))
      ? fs
          .readdirSync(path.join(dir, 'SegmentationClass'))
          .filter((f) => f.endsWith('.png'))
          .sort()
      : []
    for (const f of val.slice(0, perUser)) {
      const name = f.replace(/\.png$/, '')
      out.push({
        user: u.id,
        name,
        image: path.join(dir, 'JPEGImages', `${name}.jpg`),
        gt: path.join(dir, 'SegmentationClass', f),
        prediction: path.join(r.predictionsDir, u.id, `${name}_color.png`),
      })
    }
  }
  return out
}

export const demoCommand: Command = {
  name: 'demo',
  summary: 'generate the synthetic benchmark, train No-DA, predict the albums and score them (with a report)',
  usage: `Usage: pss-studio demo [--preset ${PRESET_NAMES.join('|')}] [--out DIR] [--iterations N] [--tta] [--crf] [--json]

Generates the synthetic personalized benchmark into DIR/benchmark (kept and reused when it is
already there), trains the source-only model (No-DA: compact net, width 16, 64² crops, batch 4,
lr 0.05, seeded) on its source set, predicts every user's album into DIR/predictions/<run>/id{k}/
(<name>.png palette labels + <name>_color.png), scores each user's validation images with FIoU
and MIoU (paper: object classes in the GT, background excluded; all21: the released code's
printout; present: mmsegmentation), and compares with trivial predictors (all background, majority class, majority
foreground class of the source masks). Writes DIR/report.html and DIR/result.json.

Options:
  --preset NAME    ${PRESET_NAMES.join(', ')} (default tiny)
  --out DIR        output folder (default: a new temporary folder)
  --iterations N   training iterations (default: ${Object.entries(DEMO_ITERATIONS)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')})
  --tta            also predict with test-time augmentation (scales 0.5–1.5 + flip) and score it (+TTA row)
  --crf            also predict with dense CRF refinement (DeepLab defaults) and score it (+CRF row;
                   with --tta also a +TTA+CRF row); each row with its inference time
  --json           print the summary as one JSON object on the last line`,

  async run(argv: string[], io: CliIo): Promise<number> {
    const opts = parseCommandArgs(argv, {
      preset: { type: 'string' },
      out: { type: 'string' },
      iterations: { type: 'string' },
      tta: { type: 'boolean' },
      crf: { type: 'boolean' },
      json: { type: 'boolean' },
    })
    const preset = opts.preset ?? 'tiny'
    if (!isPresetName(preset))
      throw new UsageError(`--preset must be one of ${PRESET_NAMES.join(', ')}, got "${preset}"`)
    const iterations = parseIterations(opts.iterations, preset)
    const out = path.resolve(opts.out ?? fs.mkdtempSync(path.join(os.tmpdir(), 'pss-demo-')))
    const t0 = performance.now()
    const benchmark = path.join(out, 'benchmark')
    await ensureBenchmark(benchmark, preset, io)
    const r = await runNoda({
      sourceRoot: benchmark,
      pisRoot: benchmark,
      out,
      iterations,
      seed: DEMO_SEED,
      lr: DEMO_LR,
      size: DEMO_SIZE,
      onLog: (l) => io.err(`pss-studio demo: ${l}`),
      onProblem: (p) => io.err(`pss-studio demo: skipped ${p.file}: ${p.reason}`),
    })
    const variants = await runInferVariants({
      runDir: r.runDir,
      pisRoot: benchmark,
      predictionsRoot: `${r.predictionsDir}-post`,
      variants: demoVariants(opts.tta === true, opts.crf === true),
      onLog: (l) => io.err(`pss-studio demo: ${l}`),
      onProblem: (p) => io.err(`pss-studio demo: skipped ${p.file}: ${p.reason}`),
    })
    const wallSeconds = (performance.now() - t0) / 1000
    const trivial = bestTrivial(r)
    const json: DemoJson = {
      methods: {
        noda: r.mean.noda,
        trivial,
        trivial_background: r.mean.trivial_background,
        trivial_majority: r.mean.trivial_majority,
        trivial_majority_fg: r.mean.trivial_majority_fg,
      },
      backend: r.backend,
      wallSeconds,
    }
    for (const v of variants) json.methods[v.name] = v.mean
    if (variants.length > 0)
      json.postprocess = Object.fromEntries(
        variants.map((v) => [v.name, { seconds: v.seconds, cost: v.cost, options: v.options }]),
      )
    const reportFile = path.join(out, 'report.html')
    writeFileAtomic(
      reportFile,
      nodaReportHtml(r, reportFile, thumbs(r, benchmark, 3), `PSS Studio demo (${preset}): No-DA`),
    )
    writeFileAtomic(
      path.join(out, 'result.json'),
      JSON.stringify({ ...r, ...(variants.length > 0 ? { variants } : {}), summary: json }, null, 2),
    )
    const print = opts.json ? io.err : io.out
    for (const line of nodaTable(r)) print(line)
    for (const v of variants)
      print(
        `mean     ${v.name.padEnd(18)} FIoU ${v.mean.fiou.toFixed(2)}  MIoU paper ${v.mean.miou_paper === null ? '—' : v.mean.miou_paper.toFixed(2)}  MIoU all21 ${v.mean.miou_all21.toFixed(2)}  infer ${v.seconds.toFixed(1)} s (${v.cost.msPerImage.toFixed(1)} ms/image; CRF ${v.cost.crfMsPerImage === null ? '—' : `${v.cost.crfMsPerImage.toFixed(1)} ms`}; ${v.cost.passes} passes) vs No-DA infer ${r.seconds.infer.toFixed(1)} s`,
      )
    print(
      `No-DA ${iterations} iterations on ${r.backend}: train ${r.seconds.train.toFixed(1)} s, infer ${r.seconds.infer.toFixed(1)} s, total ${wallSeconds.toFixed(1)} s`,
    )
    print(`Report: ${reportFile}`)
    // The machine-readable summary is the LAST line, on one line.
    if (opts.json) io.out(JSON.stringify(json))
    return EXIT_OK
  },
}
