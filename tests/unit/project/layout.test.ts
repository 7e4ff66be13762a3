import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { safeFileName, slugify, uniqueFileName } from '../../../src/main/project/layout'
import { writeFileAtomic } from '../../../src/main/files/atomic-file'
import { TempDirs } from './fixtures'

const tmp = new TempDirs()
afterEach(() => tmp.cleanup())

describe('file names', () => {
  it('keeps ordinary, unicode and leading-dash names, replaces characters some systems refuse', () => {
    expect(safeFileName('-a b.jpg')).toBe('-a b.jpg')
    expect(safeFileName('fête 夏.jpg')).toBe('fête 夏.jpg')
    expect(safeFileName('a/b\\c:d*e?.jpg')).toBe('a_b_c_d_e_.jpg')
    expect(safeFileName('x\u0001y')).toBe('x_y')
    expect(safeFileName('..')).toBe('file')
    expect(safeFileName('name. ')).toBe('name')
    expect(safeFileName('aux.txt')).toBe('_aux.txt')
    expect(safeFileName('e\u0301.jpg')).toBe('é.jpg') // NFC
  })

  it('truncates long names by bytes, keeping the extension and whole characters', () => {
    const long = `${'夏'.repeat(100)}.jpeg`
    const s = safeFileName(long)
    expect(Buffer.byteLength(s)).toBeLessThanOrEqual(150)
    expect(s.endsWith('.jpeg')).toBe(true)
    expect(s).not.toContain('\uFFFD')
  })

  it('slugs are lower-case folder names', () => {
    expect(slugify('My Summer  Trip', 'album')).toBe('my-summer-trip')
    expect(slugify('..hidden', 'album')).toBe('hidden')
    expect(slugify('///', 'album')).toBe('___')
    expect(slugify('', 'album')).toBe('album')
  })

  it('finds a free name, case-insensitively', () => {
    const dir = tmp.make()
    fs.writeFileSync(path.join(dir, 'a.jpg'), '')
    fs.writeFileSync(path.join(dir, 'A-2.jpg'), '')
    expect(uniqueFileName(dir, 'a.jpg')).toBe('a-3.jpg')
    expect(uniqueFileName(dir, 'b.jpg')).toBe('b.jpg')
    expect(uniqueFileName(dir, 'noext')).toBe('noext')
    expect(uniqueFileName(path.join(dir, 'missing'), 'a.jpg')).toBe('a.jpg')
    expect(uniqueFileName(dir, 'b.jpg', (n) => n === 'b.jpg')).toBe('b-2.jpg')
  })

  it('writeFileAtomic replaces a file whole and leaves no temp files', () => {
    const dir = tmp.make()
    const f = path.join(dir, 'sub', 'x.json')
    writeFileAtomic(f, 'one')
    writeFileAtomic(f, 'two')
    expect(fs.readFileSync(f, 'utf8')).toBe('two')
    expect(fs.readdirSync(path.dirname(f))).toEqual(['x.json'])
    fs.mkdirSync(path.join(dir, 'blocked'))
    fs.mkdirSync(path.join(dir, 'blocked', 'inner'))
    expect(() => writeFileAtomic(path.join(dir, 'blocked'), 'x')).toThrow()
    expect(fs.readdirSync(dir).sort()).toEqual(['blocked', 'sub'])
  })
})
