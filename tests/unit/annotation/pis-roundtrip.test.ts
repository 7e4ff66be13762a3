/**
 * PIS round trip on the synthetic personalized benchmark (its albums are written in the PIS layout):
 * import the whole PIS root into a project, export every album again with
 * `pss-studio export --format pis`, and every mask's indices, the validation lists, the tag lists and the
 * cluster lists come back exactly.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { Studio } from '../../../src/main/app/studio'
import { runCli } from '../../../src/main/cli/run'
import { generateSyntheticBenchmark } from '../../../src/main/datasets/synthetic'
import { decodeLabelPng } from '../../../src/main/media/label-png'
import { TempDirs } from '../project/fixtures'

const tmp = new TempDirs()
afterEach(() => tmp.cleanup())

const lines = (f: string): string[] =>
  fs
    .readFileSync(f, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .sort()

describe('PIS round trip (synthetic benchmark)', () => {
  it('import → export --format pis reproduces every mask index, val_all, imgLabelList and train_cluster', async () => {
    const root = tmp.make()
    const bench = path.join(root, 'bench')
    const manifest = await generateSyntheticBenchmark({ out: bench, preset: 'tiny', seed: 5 })
    const projectDir = path.join(root, 'project')
    const studio = new Studio({ mode: 'cli', homeDir: tmp.make(), jobs: { writeIntervalMs: 0 } })
    try {
      await studio.api.createProject({ path: projectDir })
      const { jobId } = await studio.api.importPis({ root: bench })
      const job = await studio.currentJobs().settled(jobId)
      expect(job.status, job.error ?? '').toBe('done')
      expect((await studio.api.listAlbums({})).map((a) => a.userId)).toEqual(manifest.users.map((u) => u.id))
    } finally {
      await studio.close()
    }

    let masks = 0
    for (const u of manifest.users) {
      const out = path.join(root, `export-${u.id}`)
      const errs: string[] = []
      const io = { out: () => {}, err: (l: string) => errs.push(l), signal: new AbortController().signal }
      const album = (await listAlbumName(projectDir, u.id))!
      expect(
        await runCli(
          ['export', '--project', projectDir, '--album', album, '--format', 'pis', '--out', out],
          io,
        ),
        errs.join('\n'),
      ).toBe(0)
      const src = path.join(bench, 'personal', u.id)
      const dst = path.join(out, 'personal', u.id)
      const srcMasks = fs.readdirSync(path.join(src, 'SegmentationClass')).sort()
      expect(srcMasks.length).toBe(u.validation)
      expect(fs.readdirSync(path.join(dst, 'SegmentationClass')).sort()).toEqual(srcMasks)
      for (const f of srcMasks) {
        const a = decodeLabelPng(fs.readFileSync(path.join(src, 'SegmentationClass', f)))
        const b = decodeLabelPng(fs.readFileSync(path.join(dst, 'SegmentationClass', f)))
        expect([b.width, b.height], f).toEqual([a.width, a.height])
        expect(Buffer.from(b.labels).equals(Buffer.from(a.labels)), `${u.id}/${f}`).toBe(true)
        masks++
      }
      expect(lines(path.join(dst, 'val_all.txt'))).toEqual(lines(path.join(src, 'val_all.txt')))
      expect(lines(path.join(dst, 'imgLabelList.txt'))).toEqual(lines(path.join(src, 'imgLabelList.txt')))
      expect(lines(path.join(dst, u.clusterFile))).toEqual(lines(path.join(src, u.clusterFile)))
      expect(fs.readdirSync(path.join(dst, 'JPEGImages')).sort()).toEqual(
        fs.readdirSync(path.join(src, 'JPEGImages')).sort(),
      )
    }
    expect(masks).toBe(manifest.counts.albumValidation)
  }, 180_000)
})

/** The album name the PIS importer gave a user id (read through a fresh Studio, then closed). */
async function listAlbumName(projectDir: string, userId: string): Promise<string | undefined> {
  const s = new Studio({ mode: 'cli', homeDir: tmp.make() })
  try {
    await s.openProjectPath(projectDir)
    return (await s.api.listAlbums({})).find((a) => a.userId === userId)?.name
  } finally {
    await s.close()
  }
}
