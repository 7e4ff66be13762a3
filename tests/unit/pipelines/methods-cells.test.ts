/**
 * The methods bench as cells, end to end and tiny (the verdict preset's data cut to 2 users and a few
 * source images, 32² crops, 2 iterations, in the engine worker): the reference rows (source-val, target
 * oracle) and the paired CI are in the JSON; one worker and two workers give identical metrics; a second
 * invocation on the same folder takes every cell from the cache and reproduces the JSON.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateSyntheticBenchmark } from '../../../src/main/datasets/synthetic'
import { toBenchJson } from '../../../src/main/cli/commands/bench'
import { referenceTable } from '../../../src/main/cli/commands/bench-tables'
import {
  albumOracleFiles,
  runMethodsBench,
  type MethodsBenchOptions,
  type MethodsBenchResult,
} from '../../../src/main/engine/pipelines/methods'
import { listPisAlbums, pisRootDir } from '../../../src/main/engine/pipelines/pis-albums'
import { vocYearDir } from '../../../src/main/engine/pipelines/voc-source'
import {
  engineCodeVersion,
  readCell,
  runPool,
  stableHash,
} from '../../../src/main/engine/pipelines/methods-cells'

let tmp = ''
let bench = ''
const results: Record<string, MethodsBenchResult> = {}

function options(out: string, workers: number): MethodsBenchOptions {
  return {
    benchmark: bench,
    out,
    methods: ['noda', 'bn-only'],
    seeds: [1],
    sourceIterations: 2,
    adaptIterations: 2,
    size: 32,
    batch: 2,
    width: 16,
    sourceLr: 0.01,
    ndf: 4,
    contextWarmup: 0,
    contextSource: 'scratch',
    adaptSeg: { lr: 0.01, polyMax: 8 },
    references: true,
    workers,
    cacheDir: path.join(out, 'cells'),
    // Fixed: other work editing the engine between the runs must not turn the resume into a miss.
    codeVersion: 'test',
  }
}

/** The JSON a bench prints, less what may differ between invocations (time, cache use, worker count). */
function metrics(r: MethodsBenchResult): unknown {
  const j = toBenchJson(r, {
    wallSeconds: 0,
    preset: 'verdict',
    seeds: 1,
    iterations: { source: 2, adapt: 2, contextWarmup: 0 },
    ndf: 4,
  })
  return { ...j, cells: undefined }
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pss-methods-cells-'))
  bench = path.join(tmp, 'bench')
  await generateSyntheticBenchmark({ out: bench, preset: 'verdict', seed: 1 })
  fs.rmSync(path.join(pisRootDir(bench), 'id3'), { recursive: true })
  const sets = path.join(vocYearDir(bench), 'ImageSets', 'Segmentation')
  for (const [list, n] of [
    ['train.txt', 6],
    ['val.txt', 4],
  ] as const) {
    const f = path.join(sets, list)
    fs.writeFileSync(f, fs.readFileSync(f, 'utf8').split('\n').slice(0, n).join('\n') + '\n')
  }
  results.one = await runMethodsBench(options(path.join(tmp, 'w1'), 1))
  results.two = await runMethodsBench(options(path.join(tmp, 'w2'), 2))
  results.again = await runMethodsBench(options(path.join(tmp, 'w2'), 2))
}, 900_000)

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true })
})

describe('methods bench cells', () => {
  it('reports the reference rows and the paired CI against No-DA', () => {
    const r = results.one!
    expect(r.sourceVal?.perUser['source-val']).toBeDefined()
    expect(r.oracle && Object.keys(r.oracle.perUser).sort()).toEqual(['id1', 'id2'])
    const p = r.methods['bn-only']!.pairedVsNoda!.fiou
    expect(p.strata).toBe(2)
    expect(p.images).toBe(listPisAlbums(bench).reduce((a, x) => a + x.valNames.length, 0))
    expect(p.ci95[0]).toBeLessThanOrEqual(p.mean)
    expect(p.ci95[1]).toBeGreaterThanOrEqual(p.mean)
    expect(r.methods['noda']!.pairedVsNoda).toBeUndefined()
    expect(r.raw.find((x) => x.method === 'bn-only')!.images).toBeDefined()
    const table = referenceTable(r).join('\n')
    expect(table).toMatch(/^source-val/m)
    expect(table).toMatch(/^target oracle/m)
  })

  it('trains the oracle on the album’s own non-validation masks', () => {
    const a = listPisAlbums(bench)[0]!
    const files = albumOracleFiles(bench, a)
    expect(files.length).toBe(a.images.length - a.valNames.length)
    expect(files.every((f) => f.mask.includes(`${path.sep}oracle${path.sep}`))).toBe(true)
    const run = JSON.parse(
      fs.readFileSync(path.join(tmp, 'w1', 'seed-1', a.id, 'oracle', 'run.json'), 'utf8'),
    ) as {
      config: { source: { image: string; mask: string }[]; target: unknown[] }
    }
    expect(run.config.source).toEqual(files)
    expect(run.config.target).toEqual([])
  })

  it('gives the same metrics with one or two workers', () => {
    expect(metrics(results.two!)).toEqual(metrics(results.one!))
    expect(results.one!.cells).toEqual({ run: 7, cached: 0 })
  })

  it('resumes from the cell cache', () => {
    expect(results.again!.cells).toEqual({ run: 0, cached: 7 })
    expect(metrics(results.again!)).toEqual(metrics(results.two!))
    expect(readCell({ dir: path.join(tmp, 'w2', 'cells'), base: 'another config' }, { seed: 1 })).toBeNull()
  })
})

describe('cell helpers', () => {
  it('versions the cache by the engine code', () => {
    expect(engineCodeVersion()).toMatch(/^[0-9a-f]{16}$/)
  })

  it('hashes JSON independently of key order', () => {
    expect(stableHash({ a: 1, b: [{ c: 2, d: 3 }] })).toBe(stableHash({ b: [{ d: 3, c: 2 }], a: 1 }))
    expect(stableHash({ a: 1 })).not.toBe(stableHash({ a: 2 }))
  })

  it('runs at most `limit` tasks at once, results in input order', async () => {
    let running = 0
    let peak = 0
    const task = (v: number) => async (): Promise<number> => {
      running++
      peak = Math.max(peak, running)
      await new Promise((r) => setTimeout(r, 5 * (4 - v)))
      running--
      return v
    }
    expect(await runPool([0, 1, 2, 3].map(task), 2)).toEqual([0, 1, 2, 3])
    expect(peak).toBe(2)
  })
})
