import { decode } from 'fast-png'
import { describe, expect, it } from 'vitest'
import { vocPalette } from '../../src/shared/voc'
import { encodePalettePng, toBase64 } from '../../src/renderer/src/editor/png-encode'
import { deflateScanlines } from '../../src/renderer/src/editor/run-deflate'

function same(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i])
}

describe('browser PNG encoder', () => {
  it('writes an 8-bit palette PNG with the VOC palette that an independent decoder reads back exactly', async () => {
    const w = 37
    const h = 23
    const data = new Uint8Array(w * h)
    for (let i = 0; i < data.length; i++) data[i] = i % 29 === 0 ? 255 : (i * 7) % 21
    const png = await encodePalettePng({ width: w, height: h, data })
    const back = decode(png)
    expect([back.width, back.height, back.depth, back.channels]).toEqual([w, h, 8, 1])
    expect(back.palette?.length).toBe(256)
    const pal = vocPalette()
    expect(
      back.palette!.every(
        (rgb, i) => rgb[0] === pal[i * 3] && rgb[1] === pal[i * 3 + 1] && rgb[2] === pal[i * 3 + 2],
      ),
    ).toBe(true)
    expect(Array.from(back.data).every((v, i) => v === data[i])).toBe(true)
    const b64 = atob(toBase64(png))
    expect(b64.length).toBe(png.length)
    expect([...b64].every((c, i) => c.charCodeAt(0) === png[i])).toBe(true)
  })

  it('reads back exactly from maps of runs, row repeats and noise, including rows wider than the 32 KiB window', async () => {
    let seed = 12345
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32
    const maps: {
      w: number
      h: number
      fill: (x: number, y: number, prev: Uint8Array, i: number) => number
    }[] = [
      { w: 1, h: 1, fill: () => 255 },
      { w: 301, h: 97, fill: (x, y) => ((Math.floor(x / 40) + Math.floor(y / 30)) % 2 === 0 ? 0 : 15) }, // blocks: runs + row repeats
      { w: 64, h: 64, fill: () => (rnd() < 0.5 ? Math.floor(rnd() * 21) : 255) }, // noise: literals
      {
        w: 120,
        h: 40,
        fill: (x, y, prev, i) => (y > 0 && rnd() < 0.9 ? prev[i - 120]! : Math.floor(rnd() * 3) * 7),
      }, // vertical repeats
      { w: 33000, h: 3, fill: (x) => (x < 16000 ? 0 : x < 33000 - 5 ? 9 : 255) }, // stride past the deflate window
    ]
    for (const m of maps) {
      const data = new Uint8Array(m.w * m.h)
      for (let y = 0; y < m.h; y++)
        for (let x = 0; x < m.w; x++) data[y * m.w + x] = m.fill(x, y, data, y * m.w + x)
      const back = decode(await encodePalettePng({ width: m.w, height: m.h, data }))
      expect([back.width, back.height]).toEqual([m.w, m.h])
      expect(same(back.data as Uint8Array, data)).toBe(true)
    }
  })

  it('falls back to zlib for a map without runs, and still reads back exactly', async () => {
    let seed = 5
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32
    const w = 300
    const h = 200
    const data = new Uint8Array(w * h)
    for (let i = 0; i < data.length; i++) data[i] = rnd() < 0.1 ? 255 : Math.floor(rnd() * 21)
    const raw = new Uint8Array((w + 1) * h)
    for (let y = 0; y < h; y++) raw.set(data.subarray(y * w, (y + 1) * w), y * (w + 1) + 1)
    const fast = deflateScanlines(raw, w + 1)
    expect(fast.length).toBeGreaterThan(raw.length / 8)
    const png = await encodePalettePng({ width: w, height: h, data })
    expect(png.length).toBeLessThan(fast.length) // zlib's stream, not the fixed-code one
    expect(same(decode(png).data as Uint8Array, data)).toBe(true)
  })
})
