/**
 * The top-2 probability map file (engine/infer/top2-file.ts): what the worker writes is what the app
 * reads; a damaged or foreign file is refused with its name and the problem; the map's size keeps the
 * photo's aspect ratio with its long side at most the bound and never enlarges a small photo.
 */
import { describe, expect, it } from 'vitest'
import {
  decodeTop2,
  encodeTop2,
  quantiseProbability,
  top2Size,
} from '../../../src/main/engine/infer/top2-file'

describe('top-2 map file', () => {
  it('round-trips and refuses damaged bytes by name', () => {
    const planes = Uint8Array.from({ length: 4 * 6 }, (_, i) => (i * 37) % 256)
    const bytes = encodeTop2({ width: 3, height: 2, numClasses: 21, planes })
    expect(decodeTop2(bytes, 'x.top2')).toEqual({ width: 3, height: 2, numClasses: 21, planes })
    expect(() => decodeTop2(bytes.subarray(0, bytes.length - 1), 'x.top2')).toThrow(
      /x\.top2: 39 bytes, a 3×2 map has 40 \(truncated\?\)/,
    )
    expect(() => decodeTop2(new TextEncoder().encode('not a map at all'), 'y.top2')).toThrow(
      /y\.top2: not a top-2 probability map/,
    )
    expect(() => encodeTop2({ width: 3, height: 2, numClasses: 21, planes: new Uint8Array(5) })).toThrow(
      /has 24 plane bytes, got 5/,
    )
  })

  it('quantises probabilities to bytes and sizes the map by its long side', () => {
    expect([
      quantiseProbability(-0.1),
      quantiseProbability(0.5),
      quantiseProbability(1),
      quantiseProbability(2),
    ]).toEqual([0, 128, 255, 255])
    expect(top2Size(4032, 3024, 512)).toEqual({ width: 512, height: 384 })
    expect(top2Size(3024, 4032, 512)).toEqual({ width: 384, height: 512 })
    expect(top2Size(320, 240, 512)).toEqual({ width: 320, height: 240 })
  })
})
