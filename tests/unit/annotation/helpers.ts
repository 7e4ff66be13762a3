/** A Studio with an open temp project holding one album of real JPEG photos. */
import path from 'node:path'
import { Studio } from '../../../src/main/app/studio'
import type { Project } from '../../../src/main/project/project'
import { makePhoto, TempDirs } from '../project/fixtures'

export interface AlbumFixture {
  studio: Studio
  project: Project
  albumId: number
  imageIds: number[]
  width: number
  height: number
}

export async function albumFixture(
  tmp: TempDirs,
  count: number,
  opts: { width?: number; height?: number; name?: string } = {},
): Promise<AlbumFixture> {
  const width = opts.width ?? 24
  const height = opts.height ?? 16
  const studio = new Studio({ mode: 'cli', homeDir: tmp.make(), jobs: { writeIntervalMs: 0 } })
  await studio.api.createProject({ path: path.join(tmp.make(), 'p') })
  const project = studio.currentProject()
  const albumId = project.importTarget.createAlbum(opts.name ?? 'Trip', 'id7')
  const photos = tmp.make()
  const imageIds: number[] = []
  for (let i = 0; i < count; i++) {
    const img = await makePhoto(photos, `photo_${String(i).padStart(3, '0')}.jpg`, i + 1, { width, height })
    const id = project.importTarget.addImage({ albumId }, img)
    if (typeof id !== 'number') throw new Error('duplicate photo in fixture')
    imageIds.push(id)
  }
  return { studio, project, albumId, imageIds, width, height }
}

/** A label map with a few classes and ignore pixels, different per `seed`. */
export function labelsFor(width: number, height: number, seed: number): Uint8Array {
  const out = new Uint8Array(width * height)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = (x * 3 + y * 5 + seed * 7) % 23
      out[y * width + x] = v === 21 || v === 22 ? 255 : v
    }
  }
  return out
}

export const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64')
