import { describe, expect, it } from 'vitest'
import { sniffFormat } from '../../../src/main/media'

const bytes = (...b: (number | string)[]): Uint8Array =>
  Uint8Array.from(b.flatMap((x) => (typeof x === 'string' ? [...x].map((c) => c.charCodeAt(0)) : [x])))

describe('sniffFormat', () => {
  it('recognises formats by their signatures', () => {
    expect(sniffFormat(bytes(0xff, 0xd8, 0xff, 0xe0))).toBe('jpeg')
    expect(sniffFormat(bytes(0x89, 'PNG', 0x0d, 0x0a, 0x1a, 0x0a))).toBe('png')
    expect(sniffFormat(bytes('RIFF', 0, 0, 0, 0, 'WEBPVP8 '))).toBe('webp')
    expect(sniffFormat(bytes('GIF89a'))).toBe('gif')
    expect(sniffFormat(bytes('II', 0x2a, 0))).toBe('tiff')
    expect(sniffFormat(bytes(0, 0, 0, 0x18, 'ftypheic'))).toBe('heif')
    expect(sniffFormat(bytes('<svg xmlns="http://www.w3.org/2000/svg">'))).toBe('svg')
  })

  it('returns null for text, RIFF audio and short input', () => {
    expect(sniffFormat(bytes('hello world'))).toBeNull()
    expect(sniffFormat(bytes('RIFF', 0, 0, 0, 0, 'WAVEfmt '))).toBeNull()
    expect(sniffFormat(bytes(0xff, 0xd8))).toBeNull()
    expect(sniffFormat(new Uint8Array(0))).toBeNull()
  })
})
