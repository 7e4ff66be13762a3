/** The backend chip's text, from the AppInfo.backend the core reports. */
import { describe, expect, it } from 'vitest'
import { backendChipText, GPU_HINT } from '../../src/renderer/src/components/backend-chip-text'

const wasm = {
  name: 'wasm',
  device:
    'Intel Xeon (2 logical cores) — WebAssembly + SIMD, 1 thread (tfjs-backend-wasm has no threads in Node)',
  notes: [
    'tfjs-node-gpu: not installed (MODULE_NOT_FOUND); for NVIDIA GPU training install @tensorflow/tfjs-node-gpu@4.22 (needs CUDA 11.2 + cuDNN 8.1; …)',
    'tfjs-node: not installed (MODULE_NOT_FOUND); …',
    "chosen automatically; the project's training kernels: Conv2DBackpropFilter, Conv2DBackpropInput, Identity",
  ],
}

describe('backendChipText', () => {
  it('wasm here: CPU, 1 thread, GPU backend not installed; popover has the device, every note and the GPU hint', () => {
    const t = backendChipText(wasm)
    expect(t.label).toBe('Compute: wasm (CPU, 1 thread) — GPU backend not installed')
    expect(t.tone).toBe('plain')
    expect(t.lines).toEqual([`Device: ${wasm.device}`, ...wasm.notes, GPU_HINT])
    expect(GPU_HINT).toContain('CUDA 11.2 and cuDNN 8.1')
  })

  it('checking while null; unavailable is an error with the reason', () => {
    expect(backendChipText(null)).toMatchObject({ label: 'Compute: checking…', tone: 'plain' })
    const u = backendChipText({ name: 'unavailable', device: '', notes: ['probe timed out'] })
    expect(u).toMatchObject({ label: 'Compute: unavailable', tone: 'err' })
    expect(u.lines[0]).toBe('probe timed out')
  })

  it('the GPU backend on a GPU is ok and needs no hint; forced cpu warns', () => {
    const g = backendChipText({
      name: 'tfjs-node-gpu',
      device: 'NVIDIA GPU (CUDA, libtensorflow 2.9.1)',
      notes: ['chosen automatically; its own training kernels'],
    })
    expect(g).toMatchObject({ label: 'Compute: tfjs-node-gpu (GPU)', tone: 'ok' })
    expect(g.lines).not.toContain(GPU_HINT)
    const c = backendChipText({
      name: 'cpu',
      device: 'X (2 logical cores) — plain JavaScript, 1 thread',
      notes: ['forced by the backend setting: cpu'],
    })
    expect(c).toMatchObject({ label: 'Compute: cpu (CPU, 1 thread) — GPU backend not used', tone: 'warn' })
  })
})
