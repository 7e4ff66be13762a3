import { describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs'
import { BackendUnavailableError, parseBackendChoice, selectBackend } from '../../../src/main/engine/backend'
import { nodeRequire } from '../../../src/main/engine/backend/node-require'

function installed(pkg: string): boolean {
  try {
    nodeRequire().resolve(pkg)
    return true
  } catch {
    return false
  }
}

function moduleNotFound(id: string): Error {
  const e = new Error(`Cannot find module '${id}'\nRequire stack:\n- somewhere`) as NodeJS.ErrnoException
  e.code = 'MODULE_NOT_FOUND'
  return e
}

describe('parseBackendChoice', () => {
  it('accepts the four names, auto and empty, and rejects anything else naming the allowed values', () => {
    expect(parseBackendChoice(' WASM ', 'PSS_BACKEND')).toBe('wasm')
    expect(parseBackendChoice('tfjs-node-gpu', 'PSS_BACKEND')).toBe('tfjs-node-gpu')
    expect(parseBackendChoice('auto', 'PSS_BACKEND')).toBeUndefined()
    expect(parseBackendChoice('', 'PSS_BACKEND')).toBeUndefined()
    expect(parseBackendChoice(undefined, 'PSS_BACKEND')).toBeUndefined()
    expect(() => parseBackendChoice('webgpu', 'PSS_BACKEND')).toThrow(
      "PSS_BACKEND='webgpu' is not a backend; allowed: tfjs-node-gpu, tfjs-node, wasm, cpu or auto",
    )
  })
})

describe('selectBackend', () => {
  it('on this machine (native packages absent) picks wasm with the training kernels and says why and how', async () => {
    const gpu = installed('@tensorflow/tfjs-node-gpu')
    const node = installed('@tensorflow/tfjs-node')
    const r = await selectBackend({ env: {} })
    if (gpu || node) {
      // A developer machine with a native package: it must win.
      expect(r.tfBackend).toBe('tensorflow')
      return
    }
    expect(r.name).toBe('wasm')
    expect(tf.getBackend()).toBe('wasm')
    expect(r.forced).toBe(false)
    expect(r.trainingKernels).toEqual(['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'Identity'])
    expect(r.device).toMatch(/WebAssembly/)
    expect(r.reasons).toHaveLength(2)
    expect(r.reasons[0]).toMatch(/^tfjs-node-gpu: not installed \(MODULE_NOT_FOUND\)/)
    expect(r.reasons[0]).toContain('CUDA 11.2 + cuDNN 8.1')
    expect(r.reasons[0]).toContain('TFJS_NODE_CDN_STORAGE')
    expect(r.reasons[1]).toMatch(/^tfjs-node: not installed \(MODULE_NOT_FOUND\)/)
  })

  it('PSS_BACKEND forces cpu (with the kernels); a setting wins over the environment', async () => {
    const r = await selectBackend({ env: { PSS_BACKEND: 'cpu' } })
    expect(r).toMatchObject({ name: 'cpu', tfBackend: 'cpu', forced: true })
    expect(r.reasons).toEqual(['forced by PSS_BACKEND: cpu'])
    expect(r.trainingKernels).toHaveLength(2)
    expect(tf.getBackend()).toBe('cpu')
    const s = await selectBackend({ force: 'wasm', env: { PSS_BACKEND: 'cpu' } })
    expect(s).toMatchObject({ name: 'wasm', forced: true })
    expect(s.reasons).toEqual(['forced by the backend setting: wasm'])
  })

  it('a forced native backend that is missing is an error naming the reason, not a silent fallback', async () => {
    const before = tf.getBackend()
    const load = (id: string): unknown => {
      throw moduleNotFound(id)
    }
    const err = await selectBackend({ force: 'tfjs-node-gpu', env: {}, loadModule: load }).catch(
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(BackendUnavailableError)
    expect((err as Error).message).toMatch(
      /'tfjs-node-gpu' is not available: tfjs-node-gpu: not installed \(MODULE_NOT_FOUND\)/,
    )
    expect(tf.getBackend()).toBe(before)
  })

  it('reports a broken native install (missing CUDA libraries) with its message and falls back', async () => {
    const load = (id: string): unknown => {
      if (id === '@tensorflow/tfjs-node-gpu') {
        throw new Error('libcudart.so.11.0: cannot open shared object file: No such file or directory')
      }
      const e = moduleNotFound(`/x/node_modules/${id}/lib/napi-v8/tfjs_binding.node`)
      throw e
    }
    const r = await selectBackend({ env: {}, loadModule: load })
    expect(r.name).toBe('wasm')
    expect(r.reasons[0]).toMatch(/^tfjs-node-gpu: failed to load \(libcudart\.so\.11\.0: cannot open/)
    expect(r.reasons[0]).toContain('the CUDA 11.2 / cuDNN 8.1 libraries were not found')
    // A missing file inside an installed package is a broken install, not "not installed".
    expect(r.reasons[1]).toMatch(/^tfjs-node: failed to load \(MODULE_NOT_FOUND: Cannot find module/)
  })

  it('rejects an unknown PSS_BACKEND before touching anything', async () => {
    await expect(selectBackend({ env: { PSS_BACKEND: 'tpu' } })).rejects.toThrow(
      /PSS_BACKEND='tpu' is not a backend/,
    )
  })
})
