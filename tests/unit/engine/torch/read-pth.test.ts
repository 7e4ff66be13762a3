/**
 * The .pth reader against files written by Debian's PyTorch 1.13: every tensor's values (sha256 of the
 * contiguous array), shape and order equal what torch holds — LR-ASPP's state dict, views with strides,
 * offsets, zero strides and shared storages, every dtype, pickle protocol 4, wrapped and DataParallel
 * checkpoints — and the legacy format and a non-dict pickle are refused by name.
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { detectArchitecture } from '../../../../src/main/engine/models/torch/detect-architecture'
import { readPth, TorchCheckpointError } from '../../../../src/main/engine/models/torch/read-pth'
import type { StateDict } from '../../../../src/main/engine/models/torch/state-dict'
import { makeTorchFixtures, torchUnavailable, type TorchFixtures } from './python-fixtures'

const unavailable = torchUnavailable()
if (unavailable) console.warn(`skipping the .pth reader's PyTorch comparisons: ${unavailable}`)

interface Expected {
  tensors: { name: string; shape: number[]; dtype: string; sha256: string }[]
  parameters?: number
}

function sha(data: Float32Array | Float64Array): string {
  return createHash('sha256')
    .update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength))
    .digest('hex')
}

describe.skipIf(unavailable !== null)('readPth = torch.save (python3-torch 1.13)', () => {
  let fx: TorchFixtures
  beforeAll(() => {
    fx = makeTorchFixtures('values')
  })
  afterAll(() => fx?.dispose())

  const expected = (name: string): Expected =>
    JSON.parse(readFileSync(`${fx.dir}/${name}.json`, 'utf8')) as Expected

  function expectSame(sd: StateDict, exp: Expected): void {
    expect([...sd.keys()]).toEqual(exp.tensors.map((t) => t.name))
    for (const t of exp.tensors) {
      const got = sd.get(t.name)!
      expect(got.shape, t.name).toEqual(t.shape)
      expect(got.dtype, t.name).toBe(t.dtype)
      expect(sha(got.data), t.name).toBe(t.sha256)
    }
  }

  it('reads torchvision LR-ASPP MobileNetV3 (319 tensors) with the values PyTorch holds', async () => {
    const { stateDict, info } = await readPth(fx.path('lraspp'))
    const exp = expected('lraspp')
    expect(stateDict.size).toBe(319)
    expectSame(stateDict, exp)
    expect(info).toMatchObject({
      archive: 'lraspp',
      byteorder: 'little',
      wrappedIn: null,
      strippedPrefix: null,
    })
    expect(stateDict.get('backbone.0.1.num_batches_tracked')!.data).toBeInstanceOf(Float64Array)
    expect(stateDict.get('backbone.0.0.weight')!.data).toBeInstanceOf(Float32Array)
    const detected = detectArchitecture(stateDict, 'lraspp.pth')
    expect(detected).toMatchObject({ arch: 'lraspp_mobilenet_v3_large', classes: 21, hasAux: false })
    expect(detected.parameterCount).toBe(exp.parameters)
  })

  it('makes strided, offset, zero-stride and shared-storage views contiguous, for every dtype (protocols 2 and 4)', async () => {
    for (const name of ['views', 'views_p4']) {
      const { stateDict } = await readPth(fx.path(name))
      expectSame(stateDict, expected(name))
    }
    const { stateDict } = await readPth(fx.path('views'))
    // Spot values that a wrong stride, offset or decoding would change.
    expect(Array.from(stateDict.get('expanded')!.data)).toEqual([1.5, 1.5, 1.5, 1.5, 1.5, -2, -2, -2, -2, -2])
    expect(Array.from(stateDict.get('i64')!.data)).toEqual([0, -1, 2 ** 40 + 3, -(2 ** 35), 7])
    expect(Array.from(stateDict.get('f16')!.data)).toEqual([
      0,
      -0,
      1.1920928955078125e-7,
      65504,
      Infinity,
      -1.5,
      3.140625,
    ])
    expect(stateDict.get('scalar')!.shape).toEqual([])
    expect(Array.from(stateDict.get('scalar')!.data)).toEqual([3.25])
    expect(stateDict.get('empty')!.shape).toEqual([0, 3])
  })

  it('finds the state dict inside a checkpoint dict and strips DataParallel’s module. prefix', async () => {
    const dp = await readPth(fx.path('wrapped_dp'))
    expectSame(dp.stateDict, expected('wrapped_dp'))
    expect(dp.info).toMatchObject({ wrappedIn: 'state_dict', strippedPrefix: 'module.' })
    const model = await readPth(fx.path('wrapped_model'))
    expectSame(model.stateDict, expected('wrapped_model'))
    expect(model.info).toMatchObject({ wrappedIn: 'model', strippedPrefix: null })
  })

  it('refuses the legacy (pre-1.6) format with how to re-save it, naming the file', async () => {
    const file = fx.path('legacy')
    const err = await readPth(file).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(TorchCheckpointError)
    expect((err as Error).message).toContain(file)
    expect((err as Error).message).toMatch(/legacy \(pre-1\.6\) format.*_use_new_zipfile_serialization=True/)
  })

  it('refuses a pickle that is not a state dict (a list of tensors)', async () => {
    const file = fx.path('a_list')
    await expect(readPth(file)).rejects.toThrow(`${file}: holds a list, not a state dict`)
  })
})
