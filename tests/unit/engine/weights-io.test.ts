import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { createModel } from '../../../src/main/engine/models'
import {
  applyWeights,
  fileHandler,
  loadNamedWeights,
  saveParams,
  WeightsFileError,
} from '../../../src/main/engine/models/weights-io'
import { expectNoLeak, useBackend } from './helpers'

const dirs: string[] = []
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'pss-weights-'))
  dirs.push(d)
  return d
}

beforeAll(async () => {
  await useBackend('wasm')
})

afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true })
})

describe('weights IO', () => {
  it('saves model.json + weights.bin and loads them by name into another model (same outputs)', async () => {
    const dir = tmp()
    const a = createModel('segnet', { seed: 1, numClasses: 5 })
    const b = createModel('segnet', { seed: 2, numClasses: 5 })
    await saveParams(dir, a.params, { run: 'test' })
    expect(fs.readdirSync(dir).sort()).toEqual(['model.json', 'weights.bin'])
    const json = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'))
    const names = json.weightsManifest[0].weights.map((w: { name: string }) => w.name)
    expect(names).toContain('conv1_conv/kernel')
    expect(names).toContain('conv1_bn/moving_mean')
    expect(fs.statSync(path.join(dir, 'weights.bin')).size).toBe(4 * a.params.count(false))
    expect(json.userDefinedMetadata.run).toBe('test')

    const x = tf.randomNormal([1, 32, 32, 3]) as tf.Tensor4D
    await expectNoLeak(async () => {
      const { tensors, metadata } = await loadNamedWeights(dir)
      expect(metadata['run']).toBe('test')
      const r = applyWeights(b.params, tensors)
      expect(r.missing).toEqual([])
      expect(r.unexpected).toEqual([])
      expect(r.loaded.length).toBe(a.params.names().length)
      tf.dispose(Object.values(tensors))
    })
    const ya = a.forward(x, false)
    const yb = b.forward(x, false)
    expect(Array.from(await yb.main.data())).toEqual(Array.from(await ya.main.data()))
    tf.dispose([x, ya.main, ya.aux as tf.Tensor, yb.main, yb.aux as tf.Tensor])
    a.dispose()
    b.dispose()
  })

  it('refuses weights that do not match the SHA-256 in model.json, naming the file', async () => {
    const dir = tmp()
    const m = createModel('segnet', { seed: 1 })
    await saveParams(dir, m.params)
    m.dispose()
    const bin = path.join(dir, 'weights.bin')
    const bytes = fs.readFileSync(bin)
    bytes[100] = (bytes[100] ?? 0) ^ 0xff
    fs.writeFileSync(bin, bytes)
    await expect(loadNamedWeights(dir)).rejects.toThrow(
      new WeightsFileError(bin, 'does not match the SHA-256 recorded in model.json'),
    )
  })

  it('explains a broken model.json and refuses shard paths outside the folder', async () => {
    const dir = tmp()
    fs.writeFileSync(path.join(dir, 'model.json'), '{"weightsManifest": 3}')
    await expect(loadNamedWeights(dir)).rejects.toThrow(
      /model\.json: not a tfjs model\.json \(weightsManifest: /,
    )
    fs.writeFileSync(
      path.join(dir, 'model.json'),
      JSON.stringify({ weightsManifest: [{ paths: ['../secret.bin'], weights: [] }] }),
    )
    await expect(loadNamedWeights(dir)).rejects.toThrow(
      /a weights path must be a file name in the same folder/,
    )
    fs.writeFileSync(path.join(dir, 'model.json'), 'not json')
    await expect(loadNamedWeights(dir)).rejects.toThrow(WeightsFileError)
  })

  it('reads converter-style sharded folders with ":0" names; reports missing/unexpected; checks shapes', async () => {
    const dir = tmp()
    const m = createModel('segnet', { seed: 3 })
    // A converter-like folder: two shards, names with ':0', one extra weight, one weight left out.
    const k = m.params.variable('conv1_conv/kernel')
    const g = m.params.variable('conv1_bn/gamma')
    const extra = tf.ones([2])
    const { data, specs } = await tf.io.encodeWeights({
      'conv1_conv/kernel:0': k,
      'conv1_bn/gamma:0': g,
      'fc1000/bias:0': extra,
    })
    const bytes = new Uint8Array(data as ArrayBuffer)
    const cut = 100
    fs.writeFileSync(path.join(dir, 'group1-shard1of2.bin'), bytes.subarray(0, cut))
    fs.writeFileSync(path.join(dir, 'group1-shard2of2.bin'), bytes.subarray(cut))
    fs.writeFileSync(
      path.join(dir, 'model.json'),
      JSON.stringify({
        format: 'layers-model',
        modelTopology: { class_name: 'Functional' },
        weightsManifest: [{ paths: ['group1-shard1of2.bin', 'group1-shard2of2.bin'], weights: specs }],
      }),
    )
    const before = Array.from(await k.data())
    const { tensors } = await loadNamedWeights(dir)
    expect(() => applyWeights(m.params, tensors)).toThrow(
      /weights do not match the model: \d+ missing .*1 unexpected \(fc1000\/bias\)/,
    )
    const r = applyWeights(m.params, tensors, false)
    expect(r.loaded.sort()).toEqual(['conv1_bn/gamma', 'conv1_conv/kernel'])
    expect(r.unexpected).toEqual(['fc1000/bias'])
    expect(r.missing.length).toBe(m.params.names().length - 2)
    expect(Array.from(await k.data())).toEqual(before)
    const wrong = { 'conv1_conv/kernel': tf.zeros([3, 3, 3, 8]) }
    expect(() => applyWeights(m.params, wrong, false)).toThrow(
      "weight 'conv1_conv/kernel' has shape [3,3,3,8] but the model expects [3,3,3,16]",
    )
    tf.dispose([extra, ...Object.values(tensors), ...Object.values(wrong)])
    m.dispose()
  })

  it('the IOHandler round-trips tf.io artifacts', async () => {
    const dir = tmp()
    const w = { a: tf.tensor1d([1, 2, 3]), b: tf.tensor2d([[4, 5]]) }
    const { data, specs } = await tf.io.encodeWeights(w)
    await fileHandler(dir).save({ weightSpecs: specs, weightData: data, format: 'x' })
    const back = await fileHandler(dir).load()
    const t = tf.io.decodeWeights(back.weightData as ArrayBuffer, back.weightSpecs ?? [])
    expect(Array.from(await (t['b'] as tf.Tensor).data())).toEqual([4, 5])
    expect(back.format).toBe('x')
    tf.dispose([...Object.values(w), ...Object.values(t)])
  })
})
