/**
 * Importers against the real project store: a folder with bad files and a small PIS user go into a real
 * SQLite project, the project is closed and re-opened, and everything that was imported is still there
 * (rows, copied originals byte for byte, thumbnails, mask files) while nothing bad got in.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { FileProblem, JobProgress } from '../../../src/shared/domain'
import type { ImportContext } from '../../../src/main/project/import-target-port'
import { importFolder, importPis, PIS_SPLIT_NAME } from '../../../src/main/datasets'
import { decodeLabelPng, encodeLabelPng, sniffFormat } from '../../../src/main/media'
import { Project } from '../../../src/main/project'
import { makeTempDir, writeJpeg, writePng, writeText, writeTruncatedJpeg } from '../media/helpers'

let tmp: ReturnType<typeof makeTempDir>
const opened: Project[] = []
beforeEach(() => {
  tmp = makeTempDir('pss-project-import-')
})
afterEach(() => {
  for (const p of opened.splice(0)) p.close()
  tmp.cleanup()
})

function context(project: Project): {
  ctx: ImportContext
  problems: FileProblem[]
  progress: Partial<JobProgress>[]
} {
  const problems: FileProblem[] = []
  const progress: Partial<JobProgress>[] = []
  return {
    ctx: {
      target: project.importTarget,
      progress: (p) => progress.push(p),
      problem: (p) => problems.push(p),
      cancelled: () => false,
    },
    problems,
    progress,
  }
}

describe('importers into a real project', () => {
  it('imports a folder with bad files and a PIS user, and everything survives closing and re-opening', async () => {
    const photos = join(tmp.dir, 'photos')
    await writeJpeg(join(photos, 'IMG 1.jpg'), { width: 64, height: 48, orientation: 6, seed: 1 })
    await writePng(join(photos, '-été.png'), { width: 30, height: 20, seed: 2 })
    copyFileSync(join(photos, 'IMG 1.jpg'), join(photos, 'z-dup.jpg'))
    writeText(join(photos, 'fake.jpg'), 'not a photo')
    writeFileSync(join(photos, 'zero.jpg'), '')
    await writeTruncatedJpeg(join(photos, 'cut.jpg'), { width: 120, height: 90, seed: 3 })
    writeText(join(photos, 'notes.txt'), 'x')

    const pisUser = join(tmp.dir, 'pis', 'personal', 'id7')
    await writeJpeg(join(pisUser, 'JPEGImages', '-a.jpg'), { width: 20, height: 16, seed: 10 })
    await writeJpeg(join(pisUser, 'JPEGImages', 'b.jpg'), { width: 20, height: 16, seed: 11 })
    mkdirSync(join(pisUser, 'SegmentationClass'), { recursive: true })
    const labels = Uint8Array.from({ length: 20 * 16 }, (_, i) => (i < 40 ? 15 : i < 45 ? 255 : 0))
    writeFileSync(
      join(pisUser, 'SegmentationClass', '-a.png'),
      encodeLabelPng({ width: 20, height: 16, labels }),
    )
    writeFileSync(
      join(pisUser, 'SegmentationClass', 'b.png'),
      encodeLabelPng({ width: 20, height: 15, labels: new Uint8Array(300) }),
    )
    writeText(join(pisUser, 'val_all.txt'), '/JPEGImages/-a.jpg /SegmentationClass/-a.png 0\n')
    writeText(join(pisUser, 'imgLabelList.txt'), '-a.jpg:person\nb.jpg:UNKNOWN\n')
    writeText(
      join(pisUser, 'train_cluster80.txt'),
      '/JPEGImages/-a.jpg /SegmentationClass/-a.png 4\n/JPEGImages/b.jpg /SegmentationClass/b.png 9\n',
    )

    const root = join(tmp.dir, 'project')
    const project = Project.create(root)
    opened.push(project)
    const folder = context(project)
    const fs1 = await importFolder(folder.ctx, {
      dir: photos,
      albumName: 'Trip',
      copy: true,
      recursive: false,
    })
    expect(fs1).toMatchObject({ imported: 2, duplicates: 1, rejected: 3 })
    expect(folder.problems.map((p) => p.file.split('/').pop()).sort()).toEqual([
      'cut.jpg',
      'fake.jpg',
      'notes.txt',
      'z-dup.jpg',
      'zero.jpg',
    ])
    const pis = context(project)
    const ps = await importPis(pis.ctx, { root: join(tmp.dir, 'pis'), copy: true })
    expect(ps).toMatchObject({ imported: 2, masks: 1, rejected: 1 })
    expect(pis.problems).toEqual([
      {
        file: join(pisUser, 'SegmentationClass', 'b.png'),
        reason: 'mask not imported: mask is 20×15 but image is 20×16',
      },
    ])
    project.close()
    opened.pop()

    const again = Project.open(root)
    opened.push(again)
    const albums = again.albums.list().sort((x, y) => x.id - y.id)
    expect(
      albums.map((a) => ({
        name: a.name,
        userId: a.userId,
        images: a.imageCount,
        masked: a.maskedCount,
        validation: a.validationCount,
        validationMasked: a.validationMaskedCount,
        clusterings: a.clusteringCount,
      })),
    ).toEqual([
      {
        name: 'Trip',
        userId: null,
        images: 2,
        masked: 0,
        validation: 0,
        validationMasked: 0,
        clusterings: 0,
      },
      {
        name: 'id7',
        userId: 'id7',
        images: 2,
        masked: 1,
        validation: 1,
        validationMasked: 1,
        clusterings: 1,
      },
    ])
    const [trip, id7] = albums as [(typeof albums)[number], (typeof albums)[number]]

    const tripPage = again.images.page({
      owner: { albumId: trip.id },
      offset: 0,
      limit: 50,
      filter: 'all',
      sort: 'name',
    })
    expect(tripPage.items.map((r) => [r.name, r.width, r.height, r.orientation])).toEqual([
      ['-été.png', 30, 20, 1],
      ['IMG 1.jpg', 48, 64, 6],
    ])
    for (const rec of tripPage.items) {
      const row = again.images.row(rec.id)
      // Copied byte for byte into the project; the thumbnail is a real WebP.
      expect(readFileSync(again.originalPath(row)).equals(readFileSync(join(photos, rec.name)))).toBe(true)
      expect(again.originalPath(row).startsWith(root)).toBe(true)
      expect(sniffFormat(readFileSync(join(root, row.thumb_path!)))).toBe('webp')
    }

    const pisPage = again.images.page({
      owner: { albumId: id7.id },
      offset: 0,
      limit: 50,
      filter: 'all',
      sort: 'name',
    })
    const a = pisPage.items.find((r) => r.name === '-a.jpg')!
    const b = pisPage.items.find((r) => r.name === 'b.jpg')!
    // Group ids 4 and 9 of train_cluster80.txt are stored re-numbered densely (0, 1).
    expect([a.tags, a.hasMask, a.inValidation, a.cluster]).toEqual([[15], true, true, 0])
    expect([b.tags, b.hasMask, b.inValidation, b.cluster]).toEqual([[], false, false, 1])
    const maskFile = again.masks.file(a.id, a.maskVersion!)!
    expect(existsSync(join(root, maskFile))).toBe(true)
    const stored = decodeLabelPng(readFileSync(join(root, maskFile)))
    expect(Array.from(stored.labels)).toEqual(Array.from(labels))
    expect(again.masks.list(a.id)[0]).toMatchObject({
      version: 1,
      author: 'human',
      classPixels: { '0': 275, '15': 40, '255': 5 },
    })
    expect(PIS_SPLIT_NAME).toBe('val_all (PIS)')
  })
})
