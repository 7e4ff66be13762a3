/**
 * `pss-studio predict --model RUN_DIR|FILE.pth --pis ROOT --users … --out DIR` (issue 14 items 5–6, the
 * paper's PSS_test.sh) on the tiny synthetic PIS tree: every chosen user's album lands in
 * `<out>/id{k}/{name}.png` + `_color.png`; `pss-studio eval --pis` scores the layout per user. A PSS run (group
 * context module) predicts in batches of the user's train_cluster groups: its PNGs equal a direct in-process
 * prediction of those very batches, and change when the cluster file is permuted across groups. A torchvision
 * LR-ASPP .pth (random weights, written by Debian's torchvision) predicts the same layout without groups.
 */
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { PredictPisJson } from '../../../src/main/cli/commands/predict-pis'
import type { EvalPisJson } from '../../../src/main/cli/commands/eval-pis'
import { generateSyntheticBenchmark } from '../../../src/main/datasets/synthetic'
import { decodeLabelPng } from '../../../src/main/media/label-png'
import { decodeRgb } from '../../../src/main/media/decode'
import { parseAdaptConfig } from '../../../src/main/engine/methods/adapt-config'
import { runAdaptation } from '../../../src/main/engine/methods/adapt-loop'
import { readAlbumClusters } from '../../../src/main/engine/pipelines/methods-clusters'
import { listPisAlbums } from '../../../src/main/engine/pipelines/pis-albums'
import { vocLabelledFiles } from '../../../src/main/engine/pipelines/voc-source'
import { loadRunModel } from '../../../src/main/engine/infer/load-run-model'
import { predictLabels } from '../../../src/main/engine/infer/predict-labels'
import { pisTestPlan } from '../../../src/main/engine/infer/pis-test-plan'
import { cli } from '../cli/helpers'
import { useBackend } from '../engine/helpers'

const PYTHON = '/usr/bin/python3'
let tmp = ''
let bench = ''
let runDir = ''

function labelsOf(file: string): Buffer {
  return Buffer.from(decodeLabelPng(fs.readFileSync(file)).labels)
}

beforeAll(async () => {
  await useBackend('wasm')
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pss-predict-pis-'))
  bench = path.join(tmp, 'bench')
  await generateSyntheticBenchmark({ out: bench, preset: 'tiny', seed: 1 })
  const album = listPisAlbums(bench)[0]!
  const clusters = readAlbumClusters(album.dir, album.images.length)!
  runDir = path.join(tmp, 'run-pss')
  // A real PSS stage-1 run (group context module 'ours'), a few steps on the tiny benchmark.
  const r = await runAdaptation(
    parseAdaptConfig({
      runDir,
      seed: 3,
      steps: 4,
      batch: 3,
      size: 32,
      width: 16,
      ndf: 4,
      backend: 'wasm',
      checkpointEvery: 0,
      source: vocLabelledFiles(bench, 'train').slice(0, 12),
      target: album.images.map((i) => ({
        image: i.file,
        name: i.name,
        group: clusters.groupOf.get(i.name)!,
      })),
      init: null,
      method: { kind: 'pss-s1' },
    }),
    false,
    { shouldStop: () => false },
  )
  expect(r.status).toBe('done')
}, 300_000)

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true })
})

describe('pss-studio predict --pis (a PSS run folder)', () => {
  it('writes <out>/id{k}/{name}.png + _color.png for every user in group batches, and eval --pis scores it', async () => {
    const out = path.join(tmp, 'out-run')
    const r = await cli(
      'predict',
      '--model',
      runDir,
      '--pis',
      bench,
      '--users',
      'all',
      '--out',
      out,
      '--json',
    )
    expect(r.code, r.err).toBe(0)
    const j = JSON.parse(r.out) as PredictPisJson
    expect(j).toMatchObject({
      grouped: true,
      batch: 3,
      geometry: { mode: 'aspect', longSide: 48 },
      skipped: [],
    })
    const albums = listPisAlbums(bench)
    expect(j.users.map((u) => u.id)).toEqual(albums.map((a) => a.id))
    for (const a of albums) {
      const u = j.users.find((x) => x.id === a.id)!
      expect(u).toMatchObject({ images: a.images.length, predicted: a.images.length, ungrouped: 0 })
      expect(path.basename(u.clusterFile!)).toMatch(/^train_cluster\d+\.txt$/)
      for (const img of a.images) {
        const pred = decodeLabelPng(fs.readFileSync(path.join(out, a.id, `${img.name}.png`)))
        const rgb = await decodeRgb(img.file)
        expect([pred.width, pred.height]).toEqual([rgb.width, rgb.height])
        expect(fs.existsSync(path.join(out, a.id, `${img.name}_color.png`))).toBe(true)
      }
      expect(fs.readdirSync(path.join(out, a.id))).toHaveLength(2 * a.images.length)
    }
    const e = await cli('eval', '--pis', bench, '--pred', out, '--json')
    expect(e.code, e.err).toBe(0)
    const ej = JSON.parse(e.out) as EvalPisJson
    expect(Object.keys(ej.users)).toEqual(albums.map((a) => a.id))
    for (const a of albums) expect(ej.users[a.id]!.images).toBe(a.valNames.length)
    expect(ej.mean.users).toBe(albums.length)
    expect(ej.mean.images).toBe(albums.reduce((s, a) => s + a.valNames.length, 0))
    const fious = albums.map((a) => ej.users[a.id]!.fiou)
    expect(ej.mean.fiou).toBeCloseTo(fious.reduce((s, v) => s + v, 0) / fious.length, 10)
    const table = await cli('eval', '--pis', bench, '--pred', out)
    expect(table.code, table.err).toBe(0)
    expect(table.out).toMatch(/^mean\s+\d+\s+\d+\.\d\d/m)
  }, 300_000)

  it('uses the user’s clusters: equal to a direct call on those groups, different when the clusters are permuted', async () => {
    const out = path.join(tmp, 'out-run')
    // Direct, in-process: the same batches (one cluster group each, ≤ the run's batch), predicted together.
    const plan = pisTestPlan({ root: bench, users: ['id1'], outDir: out, grouped: true, batch: 3 })
    const run = await loadRunModel(runDir)
    try {
      for (const batch of plan.users[0]!.batches) {
        const images = await Promise.all(batch.map((b) => decodeRgb(b.image)))
        const labels = await predictLabels(run.model, images, run.size)
        batch.forEach((b, k) =>
          expect(
            labelsOf(path.join(out, 'id1', `${b.name}.png`)).equals(Buffer.from(labels[k]!.labels)),
          ).toBe(true),
        )
      }
    } finally {
      run.model.dispose()
    }
    // The same album with its cluster file's groups rotated across the images: other context batches.
    const root2 = path.join(tmp, 'bench-permuted')
    fs.cpSync(path.join(bench, 'personal', 'id1'), path.join(root2, 'personal', 'id1'), { recursive: true })
    const clusterFile = plan.users[0]!.clusterFile!
    const file2 = path.join(root2, 'personal', 'id1', path.basename(clusterFile))
    const lines = fs
      .readFileSync(clusterFile, 'utf8')
      .split('\n')
      .filter((l) => l.trim())
    const groups = lines.map((l) => l.trim().split(/\s+/).pop()!)
    const rotated = lines.map((l, i) => l.trim().replace(/\S+$/, groups[(i + 5) % groups.length]!))
    fs.writeFileSync(file2, rotated.join('\n') + '\n')
    const out2 = path.join(tmp, 'out-permuted')
    const r = await cli('predict', '--model', runDir, '--pis', root2, '--out', out2, '--json')
    expect(r.code, r.err).toBe(0)
    let changed = 0
    for (const name of plan.users[0]!.batches.flat().map((b) => b.name))
      if (
        !labelsOf(path.join(out, 'id1', `${name}.png`)).equals(
          labelsOf(path.join(out2, 'id1', `${name}.png`)),
        )
      )
        changed++
    expect(changed).toBeGreaterThan(0)
    console.log(`permuted clusters: ${changed} of ${lines.length} id1 predictions changed`)
  }, 300_000)

  it('refuses an unknown user and --images with --pis, naming them', async () => {
    const r = await cli(
      'predict',
      '--model',
      runDir,
      '--pis',
      bench,
      '--users',
      'id9',
      '--out',
      path.join(tmp, 'x'),
    )
    expect(r.code).not.toBe(0)
    expect(r.err).toMatch(/id9.*users there: id1, id2, id3/)
    const both = await cli(
      'predict',
      '--model',
      runDir,
      '--pis',
      bench,
      '--images',
      bench,
      '--out',
      path.join(tmp, 'y'),
    )
    expect(both.code).not.toBe(0)
    expect(both.err).toMatch(/either --images or --pis/)
    const e = await cli('eval', '--pis', bench, '--pred', path.join(tmp, 'nowhere'), '--json')
    expect(e.code).not.toBe(0)
    expect(e.err).toMatch(/id1: prediction folder .*nowhere.*id1 does not exist/)
    expect(fs.existsSync(path.join(tmp, 'x'))).toBe(false)
  }, 120_000)
})

describe('pss-studio predict --pis (a torchvision .pth)', () => {
  it('predicts the chosen users one image at a time in the same layout, and eval --pis scores them', async (ctx) => {
    const pth = path.join(tmp, 'lraspp.pth')
    const py = spawnSync(
      PYTHON,
      [
        '-c',
        'import sys, torch, torchvision\n' +
          'torch.manual_seed(0)\n' +
          'm = torchvision.models.segmentation.lraspp_mobilenet_v3_large(weights=None, weights_backbone=None)\n' +
          'torch.save(m.state_dict(), sys.argv[1])',
        pth,
      ],
      { encoding: 'utf8' },
    )
    if (py.error || py.status !== 0) {
      const msg = py.error ? String(py.error) : py.stderr
      if (!/ENOENT|No module named/.test(msg)) throw new Error(`writing the LR-ASPP .pth failed: ${msg}`)
      ctx.skip()
    }
    const out = path.join(tmp, 'out-pth')
    const r = await cli(
      'predict',
      '--model',
      pth,
      '--pis',
      bench,
      '--users',
      'id1,id3',
      '--out',
      out,
      '--json',
    )
    expect(r.code, r.err).toBe(0)
    const j = JSON.parse(r.out) as PredictPisJson
    expect(j).toMatchObject({ grouped: false, batch: 1, geometry: null })
    expect(j.preprocessing).toContain('native resolution')
    const albums = listPisAlbums(bench).filter((a) => a.id !== 'id2')
    expect(j.users.map((u) => u.id)).toEqual(['id1', 'id3'])
    for (const a of albums) {
      expect(j.users.find((u) => u.id === a.id)).toMatchObject({
        predicted: a.images.length,
        clusterFile: null,
      })
      for (const img of a.images) {
        const pred = decodeLabelPng(fs.readFileSync(path.join(out, a.id, `${img.name}.png`)))
        const rgb = await decodeRgb(img.file)
        expect([pred.width, pred.height]).toEqual([rgb.width, rgb.height])
        expect(fs.existsSync(path.join(out, a.id, `${img.name}_color.png`))).toBe(true)
      }
    }
    expect(fs.existsSync(path.join(out, 'id2'))).toBe(false)
    const e = await cli('eval', '--pis', bench, '--users', 'id1,id3', '--pred', out, '--json')
    expect(e.code, e.err).toBe(0)
    const ej = JSON.parse(e.out) as EvalPisJson
    expect(Object.keys(ej.users)).toEqual(['id1', 'id3'])
    expect(ej.mean.images).toBe(albums.reduce((s, a) => s + a.valNames.length, 0))
  }, 300_000)
})
