/**
 * The SegSort-kNN row of the methods bench end to end, tiny (2 users, 32² crops, width 16, 2 iterations,
 * in the engine worker): one studio SegSort run per user starts from the seed's No-DA checkpoint, its
 * memory bank holds the source set's segments only (the scored album masks stay held out), its label
 * PNGs land where the bench scores them, and the row reports finite scores per user and its run's cost
 * (training + bank + prediction). The CLI helpers give it no `+extra` and no ablation.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateSyntheticBenchmark } from '../../../../src/main/datasets/synthetic'
import {
  parseAblations,
  parseMethods,
  toBenchJson,
  withExtras,
} from '../../../../src/main/cli/commands/bench'
import { benchTable, costLines } from '../../../../src/main/cli/commands/bench-tables'
import { runMethodsBench, type MethodsBenchResult } from '../../../../src/main/engine/pipelines/methods'
import { parseBenchMethod } from '../../../../src/main/engine/pipelines/methods-rows'
import { pisRootDir, listPisAlbums } from '../../../../src/main/engine/pipelines/pis-albums'
import { vocLabelledFiles, vocYearDir } from '../../../../src/main/engine/pipelines/voc-source'
import { latestCheckpoint } from '../../../../src/main/engine/runs/checkpoint'
import { readBank } from '../../../../src/main/engine/segsort/bank-files'

let tmp = ''
let bench = ''
let r: MethodsBenchResult
const logs: string[] = []

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pss-segsort-row-'))
  bench = path.join(tmp, 'bench')
  await generateSyntheticBenchmark({ out: bench, preset: 'tiny', seed: 1 })
  // Two users, six source images.
  fs.rmSync(path.join(pisRootDir(bench), 'id3'), { recursive: true })
  const list = path.join(vocYearDir(bench), 'ImageSets', 'Segmentation', 'train.txt')
  fs.writeFileSync(list, fs.readFileSync(list, 'utf8').split('\n').slice(0, 6).join('\n') + '\n')
  r = await runMethodsBench({
    benchmark: bench,
    out: path.join(tmp, 'runs'),
    methods: parseMethods('noda,segsort-knn'),
    seeds: [1],
    sourceIterations: 2,
    adaptIterations: 2,
    size: 32,
    batch: 2,
    width: 16,
    sourceLr: 0.01,
    ndf: 4,
    contextWarmup: 0,
    onLog: (l) => logs.push(l),
  })
}, 600_000)

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true })
})

const segsortDir = (user: string): string => path.join(tmp, 'runs', 'seed-1', user, 'segsort-knn', 'segsort')

describe('methods bench: segsort-knn', () => {
  it('runs the studio SegSort run per user from the No-DA checkpoint, with a source-only bank', () => {
    const source = vocLabelledFiles(bench, 'train')
    expect(source).toHaveLength(6)
    const ckpt = latestCheckpoint(path.join(tmp, 'runs', 'seed-1', 'source'))!
    for (const a of listPisAlbums(bench)) {
      const run = JSON.parse(fs.readFileSync(path.join(segsortDir(a.id), 'run.json'), 'utf8')) as {
        config: {
          init: string
          steps: number
          size: number
          source: { image: string }[]
          bank: { origin: string; files: { image: string; mask: string }[] }[]
          predict: { outDir: string; images: { name: string }[] }
        }
      }
      const c = run.config
      expect(c.init).toBe(ckpt.dir)
      expect(c.steps).toBe(2)
      expect(c.size).toBe(32)
      expect(c.source.map((f) => f.image)).toEqual(source.map((f) => f.image))
      // Held out: the bank is the source set, no album mask.
      expect(c.bank.map((b) => b.origin)).toEqual(['source'])
      expect(c.bank[0]!.files.map((f) => f.mask)).toEqual(source.map((f) => f.mask))
      const bank = readBank(segsortDir(a.id))
      expect(bank.origins).toEqual(['source'])
      expect(bank.entries.length).toBeGreaterThan(0)
      expect(bank.entries.every((e) => e.origin === 'source')).toBe(true)
      expect(c.predict.images.map((i) => i.name).sort()).toEqual(a.images.map((i) => i.name).sort())
      // Predictions where the bench scores them: <scope>/predictions/segsort-knn/<user>/<name>.png.
      expect(c.predict.outDir).toBe(
        path.join(tmp, 'runs', 'seed-1', a.id, 'predictions', 'segsort-knn', a.id),
      )
      for (const n of a.valNames) expect(fs.existsSync(path.join(c.predict.outDir, `${n}.png`))).toBe(true)
    }
  })

  it('scores every user and reports the run’s cost (training + bank + prediction)', () => {
    const s = r.methods['segsort-knn']!
    expect(Object.keys(s.perUser)).toEqual(['id1', 'id2'])
    for (const u of Object.values(s.perUser)) {
      expect(Number.isFinite(u.fiou)).toBe(true)
      expect(Number.isFinite(u.miou_all21)).toBe(true)
    }
    const c = s.runCost!
    expect(c.runs).toBe(2)
    expect(c.images).toBe(48)
    expect(Object.keys(c.stageSecondsPerRun)).toEqual(['train', 'bank', 'predict'])
    for (const v of Object.values(c.stageSecondsPerRun)) expect(v).toBeGreaterThan(0)
    const stages = Object.values(c.stageSecondsPerRun).reduce((a, b) => a + b, 0)
    // The stages cover the worker's run; the row's seconds add only the folder reset around it.
    expect(stages).toBeLessThanOrEqual(c.secondsPerRun)
    expect(stages).toBeGreaterThan(0.8 * c.secondsPerRun)
    expect(c.secondsPerImage).toBeCloseTo((c.secondsPerRun * 2) / 48, 9)
    expect(s.cost).toBeUndefined()
    expect(r.methods.noda!.runCost).toBeUndefined()
    expect(costLines(r).join('\n')).toMatch(
      /^segsort-knn: [\d.]+ s per run in all \(train [\d.]+ s, bank [\d.]+ s, predict [\d.]+ s; 2 runs, /m,
    )
    expect(benchTable(r).some((l) => /^segsort-knn +MEAN/.test(l))).toBe(true)
    expect(logs.filter((l) => /^ {2}id\d:segsort-knn: [\d.]+ s \(train/.test(l))).toHaveLength(2)
  })

  it('the --json object has the segsort-knn entry with its scores and cost', () => {
    const json = JSON.parse(
      JSON.stringify(
        toBenchJson(r, {
          wallSeconds: 1,
          preset: 'tiny',
          seeds: 1,
          iterations: { source: 2, adapt: 2, contextWarmup: 0 },
          ndf: 4,
        }),
      ),
    ) as {
      methods: Record<
        string,
        {
          fiou: number
          miou_paper: number | null
          perUser: Record<string, { fiou: number }>
          runCost?: unknown
        }
      >
      ceilings: {
        perfect: { users: number; fiou: number }
        strideIdeal: { size: number; stride: number; grid: number; fiou: number }
      }
    }
    expect(Object.keys(json.methods)).toEqual(['noda', 'segsort-knn'])
    expect(typeof json.methods.noda!.miou_paper).toBe('number')
    // The ceilings of the two users' validation masks at this bench's prediction geometry: size 32, aspect
    // kept at long side 1.5 × 32 = 48 (infer/geometry.ts), 6 stride-8 logits along the long side.
    expect(json.ceilings.perfect.users).toBe(2)
    expect(json.ceilings.strideIdeal).toMatchObject({ size: 48, stride: 8, grid: 6, mode: 'aspect' })
    expect(json.ceilings.strideIdeal.fiou).toBeLessThan(json.ceilings.perfect.fiou)
    const m = json.methods['segsort-knn']!
    expect(typeof m.fiou).toBe('number')
    expect(Number.isFinite(m.perUser.id1!.fiou)).toBe(true)
    expect(m.runCost).toMatchObject({ runs: 2, images: 48 })
  })

  it('takes no inference extra and no ablation', () => {
    expect(parseBenchMethod('segsort-knn')).toEqual({ row: 'segsort-knn', extra: null })
    expect(parseBenchMethod('segsort-knn+tta')).toBeNull()
    expect(withExtras(['noda', 'segsort-knn'], 'tta')).toEqual(['noda', 'noda+tta', 'segsort-knn'])
    expect(() => parseAblations({ table5: true, 'ablation-method': 'segsort-knn' })).toThrow(
      /segsort-knn: its run does not adapt to a target/,
    )
  })
})
