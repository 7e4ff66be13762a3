/** appInfo reports the engine backend: null at first (the probe runs in a worker), then the report. */
import { afterEach, describe, expect, it } from 'vitest'
import { Studio, type StudioOptions } from '../../../src/main/app/studio'
import { TempDirs } from '../project/fixtures'

const tmp = new TempDirs()
const studios: Studio[] = []
afterEach(async () => {
  for (const s of studios.splice(0)) await s.close()
  tmp.cleanup()
})
const studio = (extra: Partial<StudioOptions> = {}): Studio => {
  const s = new Studio({ mode: 'cli', homeDir: tmp.make('pss-home-'), ...extra })
  studios.push(s)
  return s
}

async function eventually<T>(fn: () => Promise<T | null>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs
  for (;;) {
    const v = await fn()
    if (v !== null) return v
    if (Date.now() > end) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 50))
  }
}

describe('Studio appInfo backend', () => {
  it('is null on the first call, then the real probe report (wasm here) with reasons and kernels', async () => {
    const s = studio()
    expect((await s.api.appInfo({})).backend).toBeNull()
    const b = await eventually(async () => (await s.api.appInfo({})).backend)
    expect(['wasm', 'tfjs-node', 'tfjs-node-gpu']).toContain(b.name)
    expect(b.device.length).toBeGreaterThan(0)
    if (b.name === 'wasm') {
      expect(b.notes.some((n) => n.includes('tfjs-node-gpu') && n.includes('CUDA 11.2'))).toBe(true)
      expect(b.notes.at(-1)).toMatch(/chosen automatically; the project's training kernels: /)
    }
  })

  it('probes once, and a failed probe is backend "unavailable" with the reason, not a crash', async () => {
    let calls = 0
    const s = studio({
      probeBackend: () => {
        calls++
        return Promise.reject(new Error('the wasm binary is missing'))
      },
    })
    expect((await s.api.appInfo({})).backend).toBeNull()
    const b = await eventually(async () => (await s.api.appInfo({})).backend)
    expect(b).toEqual({ name: 'unavailable', device: '', notes: ['the wasm binary is missing'] })
    expect(await s.backendInfo()).toEqual(b)
    expect(calls).toBe(1)
  })

  it('a probe that throws synchronously is reported the same way', async () => {
    const s = studio({
      probeBackend: () => {
        throw new Error('worker entry not found')
      },
    })
    expect(await s.backendInfo()).toEqual({
      name: 'unavailable',
      device: '',
      notes: ['worker entry not found'],
    })
  })
})
