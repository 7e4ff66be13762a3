/**
 * FDA's band at the sizes a CPU trains at. The released rule b = ⌊min(H, W)·β⌋ gives b = 0 for β = 0.01
 * below 100 px — FDA would change nothing — so a training batch uses at least one bin. Checked two ways:
 * a property that holds for any real implementation (swapping the DC amplitude of a positive image sets
 * each channel's mean to the target's), and numpy's FDA (the released np.fft formula, written out here
 * independently of golden.py) at the same one-bin band.
 */
import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { fdaBatch, fdaSourceToTarget, fdaTrainingBand } from '../../../../src/main/engine/methods/fda'

const PY = '/usr/bin/python3'
const hasNumpy = spawnSync(PY, ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0

function image(size: number, seed: number, offset: number): Float32Array {
  // A seeded, positive, smooth-ish image (0..255), channels interleaved.
  const a = new Float32Array(size * size * 3)
  let s = seed
  for (let i = 0; i < a.length; i++) {
    s = (s * 1103515245 + 12345) % 2147483648
    a[i] = Math.round(offset + (s / 2147483648) * 100)
  }
  return a
}

function channelMean(a: Float32Array, ch: number): number {
  let sum = 0
  for (let i = ch; i < a.length; i += 3) sum += a[i]!
  return sum / (a.length / 3)
}

describe('FDA band', () => {
  it('the released rule floors β = 0.01 to no band at 64 px; training uses one bin, β = 0 none', () => {
    expect(fdaTrainingBand(64, 64, 0.01)).toBe(1)
    expect(fdaTrainingBand(512, 1024, 0.01)).toBe(5)
    expect(fdaTrainingBand(64, 64, 0.09)).toBe(5)
    expect(fdaTrainingBand(64, 64, 0)).toBe(0)
    const src = image(64, 1, 20)
    const trg = image(64, 2, 120)
    expect(Array.from(fdaSourceToTarget(src, trg, 64, 64, 3, 0.01))).toEqual(Array.from(src))
  })

  it("a 64-px training batch at β = 0.01 takes the target's channel means (its DC amplitude)", () => {
    const src = image(64, 3, 20)
    const trg = image(64, 4, 120)
    const out = fdaBatch(src, trg, 1, 64, 3, 0.01)
    for (let ch = 0; ch < 3; ch++) {
      expect(Math.abs(channelMean(src, ch) - channelMean(trg, ch))).toBeGreaterThan(50)
      expect(channelMean(out, ch)).toBeCloseTo(channelMean(trg, ch), 3)
    }
  })

  it.skipIf(!hasNumpy)('equals numpy FDA (np.fft, unshifted corner blocks) at the one-bin band', () => {
    const size = 20
    const src = image(size, 5, 10)
    const trg = image(size, 6, 90)
    const out = fdaBatch(src, trg, 1, size, 3, 0.01)
    const script = `
import json, sys
import numpy as np
d = json.load(sys.stdin)
n, b = d['size'], d['b']
src = np.array(d['src'], dtype=np.float64).reshape(n, n, 3).transpose(2, 0, 1)
trg = np.array(d['trg'], dtype=np.float64).reshape(n, n, 3).transpose(2, 0, 1)
fs = np.fft.fft2(src, axes=(-2, -1))
ft = np.fft.fft2(trg, axes=(-2, -1))
amp_s, pha_s, amp_t = np.abs(fs), np.angle(fs), np.abs(ft)
for ys in (slice(0, b), slice(n - b, n)):
    for xs in (slice(0, b), slice(n - b, n)):
        amp_s[:, ys, xs] = amp_t[:, ys, xs]
res = np.real(np.fft.ifft2(amp_s * np.exp(1j * pha_s), axes=(-2, -1)))
print(json.dumps(res.transpose(1, 2, 0).ravel().tolist()))
`
    const r = spawnSync(PY, ['-c', script], {
      input: JSON.stringify({ size, b: 1, src: Array.from(src), trg: Array.from(trg) }),
      encoding: 'utf8',
    })
    expect(r.status, r.stderr).toBe(0)
    const want = JSON.parse(r.stdout) as number[]
    let worst = 0
    for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(want[i]! - out[i]!))
    expect(worst).toBeLessThan(1e-3)
  })
})
