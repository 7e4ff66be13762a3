import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Studio } from '../../../src/main/app/studio'
import { mediaRef } from '../../../src/shared/domain'
import { makePhoto, TempDirs } from '../project/fixtures'

const tmp = new TempDirs()
let studio: Studio
let root: string
let outside: string
let copied: number
let referenced: number
let oddName: string

beforeAll(async () => {
  studio = new Studio({ mode: 'browser', homeDir: tmp.make() })
  root = path.join(tmp.make(), 'proj')
  outside = tmp.make()
  fs.writeFileSync(path.join(outside, 'secret.txt'), 'secret')
  await studio.api.createProject({ path: root })
  const target = studio.currentProject().importTarget
  const album = target.createAlbum('a', null)
  const img = await makePhoto(outside, 'a.jpg', 1, { name: '-a b#?.jpg' })
  copied = target.addImage({ albumId: album }, img) as number
  referenced = target.addImage(
    { albumId: album },
    await makePhoto(outside, 'b.jpg', 2, { copy: false }),
  ) as number
  target.addMask(copied, {
    labels: new Uint8Array(img.width * img.height),
    width: img.width,
    height: img.height,
    author: 'human',
    origin: '',
  })
  oddName = studio.currentProject().images.row(copied).original_path
  fs.mkdirSync(path.join(root, 'runs', '1'), { recursive: true })
  fs.writeFileSync(path.join(root, 'runs', '1', 'config.json'), '{}')
  fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(root, 'runs', 'escape.txt'))
  fs.symlinkSync(outside, path.join(root, 'runs', 'escape-dir'))
  fs.symlinkSync(path.join(root, 'runs', '1', 'config.json'), path.join(root, 'runs', 'inside.json'))
}, 60_000)
afterAll(async () => {
  await studio.close()
  tmp.cleanup()
})

describe('Studio.resolveMedia', () => {
  it('resolves images, thumbnails, masks and project files', () => {
    expect(studio.resolveMedia(mediaRef.image(copied))).toEqual({
      path: path.join(root, oddName),
      contentType: 'image/jpeg',
    })
    expect(studio.resolveMedia(mediaRef.image(referenced))).toEqual({
      path: path.join(outside, 'b.jpg'),
      contentType: 'image/jpeg',
    })
    expect(studio.resolveMedia(mediaRef.thumb(copied))).toEqual({
      path: path.join(root, 'thumbs', `${copied}.webp`),
      contentType: 'image/webp',
    })
    expect(studio.resolveMedia(mediaRef.mask(copied, 1))).toEqual({
      path: path.join(root, 'masks', String(copied), 'v1.png'),
      contentType: 'image/png',
    })
    expect(studio.resolveMedia(mediaRef.file('runs/1/config.json'))?.contentType).toBe('application/json')
    expect(studio.resolveMedia(mediaRef.file(oddName))?.path).toBe(path.join(root, oddName))
    // a symlink that stays inside the project is fine
    expect(studio.resolveMedia('file/runs/inside.json')?.path).toBe(
      path.join(root, 'runs', '1', 'config.json'),
    )
  })

  it.each([
    ['file/../x'],
    ['file/%2e%2e/x'],
    ['file/%2E%2E/%2e%2e/etc/passwd'],
    ['file/runs/../../x'],
    ['file/runs/%2e%2e/%2e%2e/secret.txt'],
    ['file/./project.sqlite'],
    ['file//etc/passwd'],
    ['file/%2Fetc%2Fpasswd'],
    ['file/..%2F..%2Fetc%2Fpasswd'],
    ['file/runs\\..\\..\\x'],
    ['file/C:%5Cwindows'],
    ['file/a\0b'],
    ['file/a%00b'],
    ['file/%E0%A4%A'],
    ['file/'],
    ['file'],
    ['file/project.sqlite'],
    ['file/PROJECT.SQLITE'],
    ['file/project.sqlite-wal'],
    ['file/project.sqlite-shm'],
    ['file/.lock'],
    ['file/runs/escape.txt'],
    ['file/runs/escape-dir/secret.txt'],
    ['file/runs'],
    ['file/runs/missing.json'],
  ])('refuses %j', (ref) => {
    expect(studio.resolveMedia(ref)).toBeNull()
  })

  it('refuses absolute paths and malformed refs', () => {
    expect(studio.resolveMedia(`file/${path.join(outside, 'secret.txt')}`)).toBeNull()
    expect(studio.resolveMedia(`file/${encodeURIComponent(path.join(outside, 'secret.txt'))}`)).toBeNull()
    for (const ref of [
      'image/abc',
      'image/0',
      'image/01',
      'image/-1',
      `image/${copied}/x`,
      'image/99999',
      'thumb/99999',
      `mask/${copied}`,
      `mask/${copied}/2`,
      `mask/${copied}/0`,
      'mask/x/1',
      'other/1',
      '',
      '/etc/passwd',
      'image/1e3',
      'x'.repeat(5000),
    ]) {
      expect(studio.resolveMedia(ref), ref).toBeNull()
    }
    expect(studio.resolveMedia(undefined as unknown as string)).toBeNull()
  })

  it('refuses a copied original whose file was replaced by a symlink to the outside', () => {
    const file = path.join(root, oddName)
    const saved = fs.readFileSync(file)
    fs.rmSync(file)
    fs.symlinkSync(path.join(outside, 'secret.txt'), file)
    try {
      expect(studio.resolveMedia(mediaRef.image(copied))).toBeNull()
    } finally {
      fs.rmSync(file)
      fs.writeFileSync(file, saved)
    }
  })

  it('resolves nothing when no project is open', async () => {
    const s = new Studio({ mode: 'browser', homeDir: tmp.make() })
    expect(s.resolveMedia(mediaRef.image(copied))).toBeNull()
    expect(s.resolveMedia('file/runs/1/config.json')).toBeNull()
  })
})
