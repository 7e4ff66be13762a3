import { copyFileSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { importFolder } from '../../../src/main/datasets'
import { sniffFormat } from '../../../src/main/media'
import {
  makeTempDir,
  sizeOf,
  writeGif,
  writeJpeg,
  writePng,
  writeText,
  writeTruncatedJpeg,
  writeWebp,
} from '../media/helpers'
import { recordingContext } from './recording-target'

let tmp: ReturnType<typeof makeTempDir>
beforeEach(() => {
  tmp = makeTempDir('pss-folder-')
})
afterEach(() => tmp.cleanup())

/** A photo folder with good files under odd names and every kind of bad file. */
async function makeMessyFolder(dir: string): Promise<void> {
  await writeJpeg(join(dir, 'a.jpg'), { width: 64, height: 48, orientation: 6, seed: 1 })
  await writePng(join(dir, 'b.PNG'), { width: 40, height: 30, seed: 2 })
  await writeWebp(join(dir, 'c.webp'), { width: 33, height: 21, seed: 3 })
  await writeJpeg(join(dir, '-dash name ü.JPEG'), { width: 20, height: 20, seed: 4 })
  await writeJpeg(join(dir, 'no-extension'), { width: 16, height: 12, seed: 5 })
  copyFileSync(join(dir, 'a.jpg'), join(dir, 'z copy of a.jpg'))
  writeText(join(dir, 'fake.jpg'), 'I am a text file with a photo name\n')
  writeFileSync(join(dir, 'zero.jpg'), '')
  await writeTruncatedJpeg(join(dir, 'cut.jpg'), { width: 96, height: 64, seed: 6 })
  await writePng(join(dir, 'huge.png'), { width: 120, height: 100, seed: 7 })
  await writeGif(join(dir, 'anim.gif'), { width: 10, height: 10 })
  writeText(join(dir, 'notes.txt'), 'shopping list')
  writeText(join(dir, 'README'), 'no extension, not an image')
  await writeJpeg(join(dir, '.hidden.jpg'), { width: 8, height: 8, seed: 8 })
  await writeJpeg(join(dir, 'sub', 'deep.jpg'), { width: 10, height: 10, seed: 9 })
  await writeJpeg(join(dir, '.git', 'obj.jpg'), { width: 10, height: 10, seed: 10 })
}

describe('importFolder', () => {
  it('imports the good files, names every skipped, duplicate and refused file, and keeps going', async () => {
    await makeMessyFolder(tmp.dir)
    const rec = recordingContext()
    const summary = await importFolder(
      rec.ctx,
      { dir: tmp.dir, albumName: 'Holiday', copy: true, recursive: false },
      { maxPixels: 10_000 },
    )

    expect(rec.target.albums).toEqual([{ id: 1, name: 'Holiday', userId: null }])
    expect(summary).toEqual({
      albumIds: [1],
      sourceIds: [],
      imported: 5,
      duplicates: 1,
      masks: 0,
      rejected: 4,
    })
    const imported = rec.target.imagesOf({ albumId: 1 })
    // Natural, case-aware order of names; odd names kept as they are.
    expect(imported.map((r) => r.image.name)).toEqual([
      '-dash name ü.JPEG',
      'a.jpg',
      'b.PNG',
      'c.webp',
      'no-extension',
    ])
    const a = imported.find((r) => r.image.name === 'a.jpg')!.image
    expect(a).toMatchObject({
      width: 48,
      height: 64,
      orientation: 6,
      copy: true,
      tags: [],
      bytes: statSync(join(tmp.dir, 'a.jpg')).size,
    })
    expect(a.sourcePath).toBe(join(tmp.dir, 'a.jpg'))
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/)
    expect(sniffFormat(a.thumbnail)).toBe('webp')
    expect(await sizeOf(a.thumbnail)).toMatchObject({ width: 48, height: 64 })
    expect(imported.find((r) => r.image.name === 'b.PNG')!.image).toMatchObject({
      width: 40,
      height: 30,
      orientation: 1,
    })

    expect(rec.problemLines().sort()).toEqual(
      [
        '.git: skipped: hidden folder',
        '.hidden.jpg: skipped: hidden file',
        'README: skipped: not an image file (no extension, content is not an image)',
        'anim.gif: skipped: unsupported image format GIF; accepted formats are JPEG, PNG or WebP',
        'notes.txt: skipped: not an image file (.txt)',
        'sub: skipped: subfolder (recursive import is off)',
        'z copy of a.jpg: duplicate of "a.jpg" (same content); not imported again',
        'fake.jpg: not an image (the content is not JPEG, PNG or WebP)',
        'zero.jpg: empty file (0 bytes)',
        'huge.png: image is too large: 120×100 = 12,000 pixels; the limit is 10,000 pixels',
        'cut.jpg: cannot be decoded: the file is truncated or corrupt',
      ].sort(),
    )
    // Problems carry the full path.
    expect(rec.problems.find((p) => p.file.endsWith('fake.jpg'))!.file).toBe(join(tmp.dir, 'fake.jpg'))
    // Progress counts every candidate, ending at the total.
    const last = rec.progress[rec.progress.length - 1]!
    expect(last).toMatchObject({ done: 10, total: 10 })
    const dones = rec.progress.map((p) => p.done ?? 0)
    expect(dones).toEqual([...dones].sort((x, y) => x - y))
  })

  it('descends into subfolders when recursive, still skipping hidden ones', async () => {
    await writeJpeg(join(tmp.dir, 'top.jpg'), { width: 10, height: 10, seed: 1 })
    await writeJpeg(join(tmp.dir, 'sub', 'deep.jpg'), { width: 10, height: 10, seed: 2 })
    await writeJpeg(join(tmp.dir, 'sub', 'deeper', 'deepest.JPG'), { width: 10, height: 10, seed: 3 })
    await writeJpeg(join(tmp.dir, '.cache', 'x.jpg'), { width: 10, height: 10, seed: 4 })
    mkdirSync(join(tmp.dir, 'elsewhere'))
    symlinkSync(tmp.dir, join(tmp.dir, 'elsewhere', 'loop'))
    const rec = recordingContext()
    const summary = await importFolder(rec.ctx, {
      dir: tmp.dir,
      albumName: 'Deep',
      copy: false,
      recursive: true,
    })
    expect(summary.imported).toBe(3)
    expect(rec.target.images.map((r) => r.image.name)).toEqual(['deep.jpg', 'deepest.JPG', 'top.jpg'])
    expect(rec.target.images.every((r) => r.image.copy === false)).toBe(true)
    expect(rec.problemLines().sort()).toEqual([
      '.cache: skipped: hidden folder',
      'loop: skipped: link to a folder (not followed)',
    ])
  })

  it('stops between files when cancelled and keeps what it imported', async () => {
    for (let i = 0; i < 8; i++)
      await writeJpeg(join(tmp.dir, `p${i}.jpg`), { width: 16, height: 16, seed: i })
    const rec = recordingContext({ cancelAfterImages: 3 })
    const summary = await importFolder(rec.ctx, {
      dir: tmp.dir,
      albumName: 'C',
      copy: true,
      recursive: false,
    })
    expect(summary.imported).toBe(3)
    expect(rec.target.images.map((r) => r.image.name)).toEqual(['p0.jpg', 'p1.jpg', 'p2.jpg'])
  })

  it('fails clearly for a missing folder, a file, or a folder without images — before creating an album', async () => {
    const rec = recordingContext()
    await expect(
      importFolder(rec.ctx, { dir: join(tmp.dir, 'nope'), albumName: 'X', copy: true, recursive: false }),
    ).rejects.toThrow(`folder not found: ${join(tmp.dir, 'nope')}`)
    writeText(join(tmp.dir, 'only.txt'), 'x')
    await expect(
      importFolder(rec.ctx, { dir: join(tmp.dir, 'only.txt'), albumName: 'X', copy: true, recursive: false }),
    ).rejects.toThrow('not a folder')
    await expect(
      importFolder(rec.ctx, { dir: tmp.dir, albumName: 'X', copy: true, recursive: false }),
    ).rejects.toThrow(
      /^no JPEG, PNG or WebP images found in .* \(subfolders are not searched unless the import is recursive\)$/,
    )
    expect(rec.target.albums).toEqual([])
    expect(rec.problemLines()).toEqual(['only.txt: skipped: not an image file (.txt)'])
  })

  it('refuses a text file named .jpg while importing the real JPEG beside it', async () => {
    await writeJpeg(join(tmp.dir, 'real.jpg'), { width: 12, height: 12 })
    writeText(join(tmp.dir, 'fake.jpg'), 'not a photo')
    const rec = recordingContext()
    const summary = await importFolder(rec.ctx, {
      dir: tmp.dir,
      albumName: 'F',
      copy: true,
      recursive: false,
    })
    expect(summary).toMatchObject({ imported: 1, rejected: 1 })
    expect(rec.problems).toEqual([
      { file: join(tmp.dir, 'fake.jpg'), reason: 'not an image (the content is not JPEG, PNG or WebP)' },
    ])
    expect(readFileSync(join(tmp.dir, 'fake.jpg'), 'utf8')).toBe('not a photo') // originals are never touched
  })
})
