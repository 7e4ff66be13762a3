import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { Project } from '../../../src/main/project/project'
import { ProposalsRepo, type ProposalInput } from '../../../src/main/project/proposals-repo'
import { decodeLabelPng, encodeLabelPng } from '../../../src/main/media/label-png'
import { fakeImage, TempDirs } from './fixtures'

const tmp = new TempDirs()
const open: Project[] = []
afterEach(() => {
  for (const p of open.splice(0)) p.close()
  tmp.cleanup()
})

function setup(): { p: Project; repo: ProposalsRepo; a: number; b: number } {
  const p = Project.create(path.join(tmp.make(), 'proj'))
  open.push(p)
  const album = p.importTarget.createAlbum('al', null)
  const a = p.importTarget.addImage({ albumId: album }, fakeImage(1)) as number
  const b = p.importTarget.addImage({ albumId: album }, fakeImage(2)) as number
  return { p, repo: new ProposalsRepo(p.db, p.paths), a, b }
}

function proposal(imageId: number, value: number, sourceId = 'tags:album-1'): ProposalInput {
  const data = new Uint8Array(6).fill(255)
  data[0] = value
  return {
    imageId,
    kind: 'tags',
    sourceId,
    label: 'Tag co-segmentation',
    png: encodeLabelPng({ width: 3, height: 2, labels: data }),
    classes: [value],
    meta: { cluster: 0 },
  }
}

describe('mask proposals', () => {
  it('stores the PNG and the row, and lists them per image', () => {
    const { repo, a, b } = setup()
    const [id] = repo.putMany([proposal(a, 15), proposal(b, 8)])
    const list = repo.listForImage(a)
    expect(list).toHaveLength(1)
    expect(list[0]).toMatchObject({ id, imageId: a, kind: 'tags', classes: [15], meta: { cluster: 0 } })
    const decoded = decodeLabelPng(fs.readFileSync(repo.filePath(list[0]!)))
    expect(Array.from(decoded.labels)).toEqual([15, 255, 255, 255, 255, 255])
  })

  it('replaces a source’s earlier proposal of the same image and removes its file', () => {
    const { repo, a } = setup()
    repo.putMany([proposal(a, 15)])
    const first = repo.listForImage(a)[0]!
    repo.putMany([proposal(a, 3)])
    const list = repo.listForImage(a)
    expect(list).toHaveLength(1)
    expect(list[0]!.classes).toEqual([3])
    expect(fs.existsSync(repo.filePath(first))).toBe(false)
    expect(fs.existsSync(repo.filePath(list[0]!))).toBe(true)
    // a second source keeps its own proposal next to the first one
    repo.putMany([proposal(a, 7, 'tags:other')])
    expect(
      repo
        .listForImage(a)
        .map((x) => x.sourceId)
        .sort(),
    ).toEqual(['tags:album-1', 'tags:other'])
  })

  it('a failing batch keeps the earlier proposals and leaves no new files', () => {
    const { repo, a } = setup()
    repo.putMany([proposal(a, 15)])
    const before = repo.listForImage(a)
    expect(() => repo.putMany([proposal(a, 4), proposal(999_999, 4)])).toThrow(/image 999999 does not exist/)
    expect(repo.listForImage(a)).toEqual(before)
    const dir = path.dirname(repo.filePath(before[0]!))
    expect(fs.readdirSync(dir)).toEqual([path.basename(before[0]!.relPath)])
  })

  it('refuses bad classes and deletes a whole source', () => {
    const { repo, a, b } = setup()
    expect(() => repo.putMany([{ ...proposal(a, 1), classes: [21] }])).toThrow(
      /classes must be integers 0–20/,
    )
    repo.putMany([proposal(a, 1), proposal(b, 2)])
    expect(repo.deleteSource('tags:album-1')).toBe(2)
    expect(repo.listForImage(a)).toEqual([])
  })
})
