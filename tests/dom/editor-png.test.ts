import { decode } from 'fast-png'
import { describe, expect, it } from 'vitest'
import { vocPalette } from '../../src/shared/voc'
import { encodePalettePng, toBase64 } from '../../src/renderer/src/editor/png-encode'

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
    expect(back.palette!.every((rgb, i) => rgb[0] === pal[i * 3] && rgb[1] === pal[i * 3 + 1] && rgb[2] === pal[i * 3 + 2])).toBe(true)
    expect(Array.from(back.data).every((v, i) => v === data[i])).toBe(true)
    const b64 = atob(toBase64(png))
    expect(b64.length).toBe(png.length)
    expect([...b64].every((c, i) => c.charCodeAt(0) === png[i])).toBe(true)
  })
})
