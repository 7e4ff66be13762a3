/**
 * The methods bench with its ablations end to end, tiny (2 users, 32² crops, width 16, 2 iterations per
 * stage, in the engine worker): Table 5's MixAll run adapts on every user's images and MixSample on a
 * seeded one-album sample drawn from every user, both scored per user; the K sweep clamps K to the album
 * size and gives one entry per requested K with the groups it asked for; the context ablation runs
 * None and reuses stage 1 for Ours; +TTA / +CRF rows predict an adapted group-context model again and
 * report their cost; the `--json` object keeps the methods shape and adds `ablations` and `perClass` (per
 * class image counts read from the GT files here; the all-21 class mean is the table's MIoU(all21)).
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateSyntheticBenchmark } from '../../../../src/main/datasets/synthetic'
import { toBenchJson } from '../../../../src/main/cli/commands/bench'
import {
  ablationTables,
  benchTable,
  costLines,
  perClassTables,
} from '../../../../src/main/cli/commands/bench-tables'
import { decodeLabelPng } from '../../../../src/main/media/label-png'
import { mixSample, poolTargets } from '../../../../src/main/engine/pipelines/ablations-data'
import { readAlbumClusters } from '../../../../src/main/engine/pipelines/methods-clusters'
import { runMethodsBench, type MethodsBenchResult } from '../../../../src/main/engine/pipelines/methods'
import { listPisAlbums, pisRootDir } from '../../../../src/main/engine/pipelines/pis-albums'
import { vocYearDir } from '../../../../src/main/engine/pipelines/voc-source'

let tmp = ''
let bench = ''
let r: MethodsBenchResult
const logs: string[] = []

interface RunJsonTarget {
  config: { target: { image: string; name: string; group?: number }[]; context?: { variant: string } }
}
const runTarget = (dir: string): RunJsonTarget['config'] =>
  (JSON.parse(fs.readFileSync(path.join(dir, 'run.json'), 'utf8')) as RunJsonTarget).config

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pss-ablations-'))
  bench = path.join(tmp, 'bench')
  await generateSyntheticBenchmark({ out: bench, preset: 'tiny', seed: 1 })
  // Two users, six source images: the smallest bench that still has every part.
  fs.rmSync(path.join(pisRootDir(bench), 'id3'), { recursive: true })
  const list = path.join(vocYearDir(bench), 'ImageSets', 'Segmentation', 'train.txt')
  fs.writeFileSync(list, fs.readFileSync(list, 'utf8').split('\n').slice(0, 6).join('\n') + '\n')
  r = await runMethodsBench({
    benchmark: bench,
    out: path.join(tmp, 'runs'),
    methods: ['noda', 'pss-s1', 'pss-s1+tta', 'pss-s1+crf'],
    ablations: {
      method: 'pss-s1',
      data: ['personal', 'mixall', 'mixsample'],
      k: [1, 100],
      context: ['none', 'ours'],
    },
    seeds: [1],
    sourceIterations: 2,
    adaptIterations: 2,
    size: 32,
    batch: 2,
    width: 16,
    sourceLr: 0.01,
    ndf: 4,
    contextWarmup: 2,
    onLog: (l) => logs.push(l),
  })
}, 900_000)

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true })
})

describe('methods bench ablations', () => {
  it('MixAll adapts one model on every user’s images and scores it per user', () => {
    const albums = listPisAlbums(bench)
    const cfg = runTarget(path.join(tmp, 'runs', 'seed-1', 'mixall', 'pss-s1'))
    const all = albums.flatMap((a) => a.images.map((i) => i.file)).sort()
    expect(cfg.target.map((t) => t.image).sort()).toEqual(all)
    const mixall = r.ablations!.data.mixall!
    expect(Object.keys(mixall.perUser)).toEqual(['id1', 'id2'])
    expect(mixall.trainImages).toBe(all.length)
    expect(Number.isFinite(mixall.fiou)).toBe(true)
  })

  it('MixSample adapts on the seeded one-album sample, drawn from both users', () => {
    const albums = listPisAlbums(bench)
    const cfg = runTarget(path.join(tmp, 'runs', 'seed-1', 'mixsample', 'pss-s1'))
    const size = Math.round(albums.reduce((s, a) => s + a.images.length, 0) / albums.length)
    expect(cfg.target).toHaveLength(size)
    for (const a of albums) expect(cfg.target.some((t) => t.name.startsWith(`${a.id}_`))).toBe(true)
    // The same sample as the pure function with the training seed (1): seeded, not arbitrary.
    const pool = poolTargets(
      albums.map((a) => {
        const c = readAlbumClusters(a.dir, a.images.length)
        return {
          user: a.id,
          items: a.images.map((i) => ({ image: i.file, name: i.name, group: c!.groupOf.get(i.name)! })),
        }
      }),
    )
    const expected = mixSample(pool, ['id1', 'id2'], 1)
    expect(cfg.target.map((t) => t.name)).toEqual(expected.map((e) => e.name))
    expect(r.ablations!.data.mixsample!.trainImages).toBe(size)
    expect(Object.keys(r.ablations!.data.mixsample!.perUser)).toEqual(['id1', 'id2'])
  })

  it('Personal is the table’s pss-s1 (the same runs, trained once)', () => {
    expect(r.ablations!.data.personal!.fiou).toBe(r.methods['pss-s1']!.fiou)
    expect(r.ablations!.context.ours!.fiou).toBe(r.methods['pss-s1']!.fiou)
    expect(logs.filter((l) => /^ {2}id1:pss-s1:/.test(l))).toHaveLength(1)
  })

  it('the K sweep clamps K to the album size and gives one entry per K', () => {
    const k = r.ablations!.k
    expect(Object.keys(k)).toEqual(['1', '100'])
    expect(k['1']!.effectiveK).toEqual({ id1: 1, id2: 1 })
    expect(k['100']!.effectiveK).toEqual({ id1: 24, id2: 24 })
    const k1 = runTarget(path.join(tmp, 'runs', 'seed-1', 'id1', 'k1', 'pss-s1'))
    expect(new Set(k1.target.map((t) => t.group))).toEqual(new Set([0]))
    const k24 = runTarget(path.join(tmp, 'runs', 'seed-1', 'id1', 'k24', 'pss-s1'))
    expect(new Set(k24.target.map((t) => t.group)).size).toBe(24)
    const table = ablationTables(r).join('\n')
    expect(table).toMatch(/K sweep \(paper Table 4\), pss-s1; clamped to the album size: K=100 → 24/)
    expect(table).toMatch(/user +K=1 FIoU +K=1 MIoU +K=100 FIoU +K=100 MIoU/)
  })

  it('the context ablation trains stage 1 without the module for None', () => {
    const cfg = runTarget(path.join(tmp, 'runs', 'seed-1', 'id1', 'pss-s1-none'))
    expect(cfg.context).toMatchObject({ variant: 'none' })
    expect(Object.keys(r.ablations!.context)).toEqual(['none', 'ours'])
    expect(ablationTables(r).join('\n')).toMatch(/Context \(paper Table 3\)[\s\S]*None FIoU/)
  })

  it('+TTA and +CRF rows predict the adapted model again, with their cost per image', () => {
    const tta = r.methods['pss-s1+tta']!
    const crf = r.methods['pss-s1+crf']!
    expect(Object.keys(tta.perUser)).toEqual(['id1', 'id2'])
    expect(tta.cost!.images).toBe(48)
    expect(tta.cost!.passes).toBe(10)
    expect(tta.cost!.addedSecondsPerImage).toBeGreaterThan(0)
    expect(tta.cost!.secondsPerImage).toBeGreaterThan(tta.cost!.addedSecondsPerImage)
    expect(tta.cost!.crfSecondsPerImage).toBeNull()
    expect(crf.cost!.passes).toBe(1)
    expect(crf.cost!.crfSecondsPerImage).toBeGreaterThan(0)
    expect(crf.cost!.addedSecondsPerImage).toBeCloseTo(crf.cost!.crfSecondsPerImage!, 9)
    expect(r.methods['pss-s1']!.cost).toBeUndefined()
    expect(costLines(r).join('\n')).toMatch(
      /pss-s1\+tta: [\d.]+ s\/image in all, \+[\d.]+ s\/image over one plain pass \(10 passes/,
    )
    const pred = path.join(tmp, 'runs', 'seed-1', 'id1', 'predictions', 'pss-s1+crf', 'id1')
    expect(fs.readdirSync(pred).filter((f) => f.endsWith('.png') && !f.endsWith('_color.png'))).toHaveLength(
      24,
    )
  })

  it('per-class IoU of every method: image counts from the GT files, class mean = MIoU(all21)', () => {
    expect(Object.keys(r.perClass)).toEqual(['noda', 'pss-s1', 'pss-s1+tta', 'pss-s1+crf'])
    // Validation images holding each class, over both users, counted from the label PNGs themselves.
    const counts = new Array<number>(21).fill(0)
    for (const a of listPisAlbums(bench)) {
      for (const name of a.valNames) {
        const gt = decodeLabelPng(fs.readFileSync(path.join(a.dir, 'SegmentationClass', `${name}.png`)))
        for (const c of new Set(gt.labels)) if (c < 21) counts[c]! += 1
      }
    }
    for (const [m, pc] of Object.entries(r.perClass)) {
      const classes = Object.values(pc.classes)
      expect(classes).toHaveLength(21)
      expect(Object.keys(pc.classes)[0]).toBe('background')
      expect(classes.map((c) => c.images)).toEqual(counts)
      const mean = classes.reduce((s, c) => s + c.all21, 0) / 21
      expect(mean).toBeCloseTo(r.methods[m]!.miou_all21, 9)
      expect(pc).toMatchObject({ seeds: 1, users: 2 })
    }
    const text = perClassTables(r).join('\n')
    expect(text).toMatch(/^class +images +noda +pss-s1 +pss-s1\+tta +pss-s1\+crf$/m)
    expect(text).toMatch(new RegExp(`^background +${counts[0]} +\\d+\\.\\d\\d `, 'm'))
  })

  it('the --json object keeps the methods shape and adds the ablations', () => {
    const json = JSON.parse(
      JSON.stringify(
        toBenchJson(r, {
          wallSeconds: 1,
          preset: 'tiny',
          seeds: 1,
          iterations: { source: 2, adapt: 2, contextWarmup: 2 },
          ndf: 4,
        }),
      ),
    ) as Record<string, unknown>
    const methods = json.methods as Record<string, Record<string, unknown>>
    expect(Object.keys(methods)).toEqual(['noda', 'pss-s1', 'pss-s1+tta', 'pss-s1+crf'])
    for (const m of Object.values(methods)) {
      for (const k of ['fiou', 'miou_all21', 'miou_present', 'std', 'perUser']) expect(m).toHaveProperty(k)
      expect(typeof m.fiou).toBe('number')
    }
    expect(json.wallSeconds).toBe(1)
    const ab = json.ablations as Record<string, Record<string, unknown>>
    expect(ab.method).toBe('pss-s1')
    expect(Object.keys(ab.data!)).toEqual(['personal', 'mixall', 'mixsample'])
    expect(Object.keys(ab.k!)).toEqual(['1', '100'])
    expect(Object.keys(ab.context!)).toEqual(['none', 'ours'])
    expect(Object.keys(json.perClass as object)).toEqual(Object.keys(methods))
    // Without ablations the key is absent (the old shape exactly).
    expect(
      toBenchJson(
        { methods: r.methods, ablations: null },
        {
          wallSeconds: 1,
          preset: 'tiny',
          seeds: 1,
          iterations: { source: 2, adapt: 2, contextWarmup: 2 },
          ndf: 4,
        },
      ),
    ).not.toHaveProperty('ablations')
    expect(benchTable(r).some((l) => /^pss-s1\+tta +MEAN/.test(l))).toBe(true)
  })
})
