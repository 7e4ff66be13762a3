/**
 * Weight import from a local tfjs folder or an http(s) URL: a real node:http server on 127.0.0.1 serves a
 * model.json + two shards written by the engine's own saver; downloads land in the cache atomically and are
 * reused; HTTP errors, bad JSON, short shards and name/shape mismatches give clear errors.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import * as fs from 'node:fs'
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import * as os from 'node:os'
import * as path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { createModel, saveParams, type SegmentationModel } from '../../../src/main/engine/models'
import { cacheKey, importWeights } from '../../../src/main/engine/models/weights-import'
import { useBackend } from './helpers'

const dirs: string[] = []
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'pss-wimport-'))
  dirs.push(d)
  return d
}

/** Files served by URL path; every request is logged. */
const served = new Map<string, { status: number; body: Buffer }>()
const requests: string[] = []
let server: http.Server
let base = ''

beforeAll(async () => {
  await useBackend('wasm')
  server = http.createServer((req, res) => {
    requests.push(req.url ?? '')
    const f = served.get(req.url ?? '')
    if (!f) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found')
      return
    }
    res.writeHead(f.status, { 'content-type': 'application/octet-stream' }).end(f.body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

afterEach(() => {
  served.clear()
  requests.length = 0
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true })
})

/** Saves a model with the engine's saver, then splits weights.bin into two converter-style shards. */
async function twoShardFolder(m: SegmentationModel): Promise<{ dir: string; files: Record<string, Buffer> }> {
  const dir = tmp()
  await saveParams(dir, m.params, { source: 'test' })
  const bin = fs.readFileSync(path.join(dir, 'weights.bin'))
  const json = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'))
  const cut = Math.floor(bin.byteLength / 3)
  const files: Record<string, Buffer> = {
    'group1-shard1of2.bin': bin.subarray(0, cut),
    'group1-shard2of2.bin': bin.subarray(cut),
  }
  json.weightsManifest[0].paths = Object.keys(files)
  files['model.json'] = Buffer.from(JSON.stringify(json))
  fs.rmSync(path.join(dir, 'weights.bin'))
  for (const [n, b] of Object.entries(files)) fs.writeFileSync(path.join(dir, n), b)
  return { dir, files }
}

function serve(prefix: string, files: Record<string, Buffer>): void {
  for (const [n, body] of Object.entries(files)) served.set(`${prefix}/${n}`, { status: 200, body })
}

async function sameOutputs(a: SegmentationModel, b: SegmentationModel): Promise<boolean> {
  const x = tf.randomNormal([1, 32, 32, 3], 0, 1, 'float32', 7) as tf.Tensor4D
  const ya = a.forward(x, false)
  const yb = b.forward(x, false)
  const same = Array.from(await ya.main.data()).join() === Array.from(await yb.main.data()).join()
  tf.dispose([x, ya.main, ya.aux as tf.Tensor, yb.main, yb.aux as tf.Tensor])
  return same
}

describe('importWeights', () => {
  it('loads a local two-shard folder (or its model.json path) by name into another model', async () => {
    const a = createModel('segnet', { seed: 1, numClasses: 5 })
    const b = createModel('segnet', { seed: 2, numClasses: 5 })
    const { dir } = await twoShardFolder(a)
    expect(await sameOutputs(a, b)).toBe(false)
    const cache = tmp()
    const before = tf.memory().numTensors
    const r = await importWeights(dir, cache, { into: b.params, strict: true })
    expect(tf.memory().numTensors).toBe(before)
    expect(r).toMatchObject({ dir, fromCache: false, missing: [], unused: [], mismatch: '' })
    expect(r.loaded.length).toBe(b.params.names().length)
    expect(await sameOutputs(a, b)).toBe(true)
    const r2 = await importWeights(path.join(dir, 'model.json'), cache)
    expect(r2.dir).toBe(dir)
    expect(fs.readdirSync(cache)).toEqual([]) // local folders are read in place, not cached
    a.dispose()
    b.dispose()
  })

  it('downloads model.json + shards from a URL into the cache once, then serves later calls from it', async () => {
    const a = createModel('segnet', { seed: 3, numClasses: 5 })
    const b = createModel('segnet', { seed: 4, numClasses: 5 })
    const c = createModel('segnet', { seed: 5, numClasses: 5 })
    const { files } = await twoShardFolder(a)
    serve('/models/v1', files)
    const url = `${base}/models/v1/model.json`
    const cache = path.join(tmp(), 'cache')
    const r = await importWeights(url, cache, { into: b.params })
    expect(r.fromCache).toBe(false)
    expect(r.dir).toBe(path.join(cache, cacheKey(url)))
    expect(r.mismatch).toBe('')
    expect(requests.sort()).toEqual(
      ['/models/v1/group1-shard1of2.bin', '/models/v1/group1-shard2of2.bin', '/models/v1/model.json'].sort(),
    )
    expect(fs.readdirSync(cache)).toEqual([cacheKey(url)]) // no temp folder left
    expect(fs.readdirSync(r.dir).sort()).toEqual([
      'group1-shard1of2.bin',
      'group1-shard2of2.bin',
      'model.json',
    ])
    expect(await sameOutputs(a, b)).toBe(true)

    requests.length = 0
    const r2 = await importWeights(url, cache, { into: c.params })
    expect(r2.fromCache).toBe(true)
    expect(requests).toEqual([])
    expect(await sameOutputs(a, c)).toBe(true)
    ;[a, b, c].forEach((m) => m.dispose())
  })

  it('a 404 shard, bad JSON or a short shard fail naming the URL and leave nothing in the cache', async () => {
    const a = createModel('segnet', { seed: 6, numClasses: 5 })
    const { files } = await twoShardFolder(a)
    const cache = tmp()

    serve('/missing', files)
    served.delete('/missing/group1-shard2of2.bin')
    await expect(importWeights(`${base}/missing/model.json`, cache)).rejects.toThrow(
      `${base}/missing/group1-shard2of2.bin: HTTP 404 Not Found`,
    )
    expect(fs.readdirSync(cache)).toEqual([])

    await expect(importWeights(`${base}/nothing/model.json`, cache)).rejects.toThrow(
      `${base}/nothing/model.json: HTTP 404 Not Found`,
    )

    served.set('/bad/model.json', { status: 200, body: Buffer.from('<html>oops</html>') })
    await expect(importWeights(`${base}/bad/model.json`, cache)).rejects.toThrow(
      new RegExp(`^${base}/bad/model\\.json: is not valid JSON`),
    )

    serve('/short', files)
    const shard = files['group1-shard2of2.bin'] as Buffer
    served.set('/short/group1-shard2of2.bin', { status: 200, body: shard.subarray(0, shard.byteLength - 4) })
    await expect(importWeights(`${base}/short/model.json`, cache)).rejects.toThrow(
      /short\/group1-shard2of2\.bin: weight group 1 needs \d+ bytes by its manifest but its shards hold \d+/,
    )
    expect(fs.readdirSync(cache)).toEqual([])

    // The server being down is a clear error too.
    await expect(importWeights('http://127.0.0.1:1/model.json', cache)).rejects.toThrow(
      /^http:\/\/127\.0\.0\.1:1\/model\.json: download failed/,
    )
    expect(fs.readdirSync(cache)).toEqual([])
    a.dispose()
  })

  it('reports unused and missing names; strict mode and shape mismatches load nothing', async () => {
    const m = createModel('segnet', { seed: 7, numClasses: 5 })
    const dir = tmp()
    const k = m.params.variable('conv1_conv/kernel')
    const extra = tf.ones([2])
    const zeros = tf.zeros(k.shape)
    // Converter-style names (":0") and a weight the model does not have.
    const { data, specs } = await tf.io.encodeWeights({
      'conv1_conv/kernel:0': zeros,
      'fc1000/bias:0': extra,
    })
    fs.writeFileSync(path.join(dir, 'group1-shard1of1.bin'), new Uint8Array(data as ArrayBuffer))
    fs.writeFileSync(
      path.join(dir, 'model.json'),
      JSON.stringify({
        format: 'layers-model',
        weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: specs }],
      }),
    )
    const before = Array.from(await k.data())
    await expect(importWeights(dir, tmp(), { into: m.params, strict: true })).rejects.toThrow(
      /model\.json: unused weights: fc1000\/bias; missing weights: conv1_bn\/gamma, .*; nothing was loaded$/,
    )
    expect(Array.from(await k.data())).toEqual(before)

    const r = await importWeights(dir, tmp(), { into: m.params })
    expect(r.loaded).toEqual(['conv1_conv/kernel'])
    expect(r.unused).toEqual(['fc1000/bias'])
    expect(r.missing.length).toBe(m.params.names().length - 1)
    expect(r.mismatch).toMatch(/^unused weights: fc1000\/bias; missing weights: .*\(\d+ in all\)$/)
    expect(Array.from(await k.data()).every((v) => v === 0)).toBe(true)

    // A wrong shape is refused before anything is assigned.
    const dir2 = tmp()
    const enc = await tf.io.encodeWeights({
      'conv1_bn/gamma': tf.ones([k.shape[3] as number]),
      'conv1_conv/kernel': tf.ones([1, 1, 3, 2]),
    })
    fs.writeFileSync(path.join(dir2, 'w.bin'), new Uint8Array(enc.data as ArrayBuffer))
    fs.writeFileSync(
      path.join(dir2, 'model.json'),
      JSON.stringify({ weightsManifest: [{ paths: ['w.bin'], weights: enc.specs }] }),
    )
    const gamma = Array.from(await m.params.variable('conv1_bn/gamma').data())
    await expect(importWeights(dir2, tmp(), { into: m.params })).rejects.toThrow(
      "weight 'conv1_conv/kernel' has shape [1,1,3,2] but the model expects [3,3,3,16]; nothing was loaded",
    )
    expect(Array.from(await m.params.variable('conv1_bn/gamma').data())).toEqual(gamma)

    // A local folder with a missing shard names the file.
    fs.rmSync(path.join(dir2, 'w.bin'))
    await expect(importWeights(dir2, tmp())).rejects.toThrow(
      `${path.join(dir2, 'w.bin')}: shard listed in model.json is missing`,
    )
    tf.dispose([extra, zeros])
    m.dispose()
  })

  it('a Keras-VGG16-layout folder (conv kernels + biases only) loads into vgg16-bn; the BN params are reported missing', async () => {
    const src = createModel('segnet', { backbone: { kind: 'vgg16-bn' }, seed: 1, aux: false })
    const dst = createModel('segnet', { backbone: { kind: 'vgg16-bn' }, seed: 2, aux: false })
    const convNames = src.params.names().filter((n) => /^block\d_conv\d\/(kernel|bias)$/.test(n))
    expect(convNames.length).toBe(26) // Keras VGG16 (include_top=False): 13 convs × (kernel, bias)
    // What tensorflowjs_converter writes for a Keras model: layer-named weights, split over shards.
    const named: tf.NamedTensorMap = {}
    for (const n of convNames) named[n] = src.params.variable(n)
    const { data, specs } = await tf.io.encodeWeights(named)
    const bytes = new Uint8Array(data as ArrayBuffer)
    const dir = tmp()
    const shard = 4 * 1024 * 1024
    const paths: string[] = []
    const count = Math.ceil(bytes.byteLength / shard)
    for (let i = 0; i < count; i++) {
      const p = `group1-shard${i + 1}of${count}.bin`
      fs.writeFileSync(path.join(dir, p), bytes.subarray(i * shard, (i + 1) * shard))
      paths.push(p)
    }
    fs.writeFileSync(
      path.join(dir, 'model.json'),
      JSON.stringify({ format: 'layers-model', weightsManifest: [{ paths, weights: specs }] }),
    )
    const gammaBefore = Array.from(await dst.params.variable('block1_conv1_bn/gamma').data())
    const r = await importWeights(dir, tmp(), { into: dst.params })
    expect(r.loaded.sort()).toEqual([...convNames].sort())
    expect(r.unused).toEqual([])
    expect(r.missing.filter((n) => n.startsWith('block')).length).toBe(13 * 4) // gamma, beta, mean, var
    expect(r.missing.every((n) => !/^block\d_conv\d\/(kernel|bias)$/.test(n))).toBe(true)
    const k = 'block5_conv3/kernel'
    expect(Array.from(await dst.params.variable(k).data())).toEqual(
      Array.from(await src.params.variable(k).data()),
    )
    expect(Array.from(await dst.params.variable('block1_conv1_bn/gamma').data())).toEqual(gammaBefore)
    src.dispose()
    dst.dispose()
  }, 60_000)
})
