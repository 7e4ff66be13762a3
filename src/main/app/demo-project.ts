/**
 * The embedded demo project that `npm start` opens: the synthetic personalized benchmark (a VOC-layout
 * source set and several users' PIS-layout albums, generated from a seed — no downloads), imported
 * through the same importers a user's data goes through.
 *
 * Built in a sibling temp folder and renamed into place only when complete, so an interrupted first run
 * never leaves a half-imported "demo" behind; every path in it is project-relative (originals copied).
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { JobStatus } from '../../shared/domain'
import { generateSyntheticBenchmark, isPresetName, type PresetName } from '../datasets/synthetic'
import { Project } from '../project/project'
import { Studio } from './studio'
import { makeDirSync } from '../files/make-dir'

export const DEMO_SEED = 2021

export interface DemoProjectResult {
  path: string
  created: boolean
  albums: number
  images: number
  /** Per-file problems the imports reported (a healthy demo has none). */
  problems: string[]
}

export interface DemoProjectOptions {
  preset?: PresetName
  seed?: number
  log?: (line: string) => void
}

/** Preset from PSS_DEMO_PRESET (tests use `tiny`); `demo` by default. */
function defaultPreset(): PresetName {
  const env = process.env.PSS_DEMO_PRESET
  return env && isPresetName(env) ? env : 'demo'
}

export async function ensureDemoProject(
  dir: string,
  opts: DemoProjectOptions = {},
): Promise<DemoProjectResult> {
  const target = path.resolve(dir)
  const log = opts.log ?? ((): void => {})
  if (fs.existsSync(path.join(target, 'project.sqlite'))) {
    return { path: target, created: false, albums: 0, images: 0, problems: [] }
  }
  if (fs.existsSync(target) && fs.readdirSync(target).length > 0) {
    throw new Error(
      `cannot create the demo project in ${target}: the folder is not empty and holds no project`,
    )
  }
  const parent = path.dirname(target)
  makeDirSync(parent)
  const staging = fs.mkdtempSync(path.join(parent, `.${path.basename(target)}.partial-`))
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'pss-demo-data-'))
  const staged = path.join(staging, 'project')
  const preset = opts.preset ?? defaultPreset()
  try {
    log(`generating the synthetic personalized benchmark (preset ${preset}, seed ${opts.seed ?? DEMO_SEED})…`)
    const manifest = await generateSyntheticBenchmark({ out: data, preset, seed: opts.seed ?? DEMO_SEED })
    Project.create(staged, { name: 'Demo — synthetic personal albums', demo: true }).close()

    const studio = new Studio({ mode: 'cli', homeDir: path.join(staging, 'home') })
    const problems: string[] = []
    try {
      await studio.openProjectPath(staged)
      log('importing the source set (VOC layout)…')
      const voc = await studio
        .currentJobs()
        .settled((await studio.api.importVoc({ root: data, name: 'Synthetic VOC', copy: true })).jobId)
      log('importing the users’ albums (PIS layout)…')
      const pis = await studio
        .currentJobs()
        .settled((await studio.api.importPis({ root: data, copy: true })).jobId)
      for (const job of [voc, pis]) {
        for (const p of job.problems) problems.push(`${p.file}: ${p.reason}`)
        if (job.status !== JobStatus.Done)
          throw new Error(`demo import ${job.status}: ${job.error ?? 'no reason given'}`)
      }
      const albums = await studio.api.listAlbums({})
      const images = albums.reduce((n, a) => n + a.imageCount, 0)
      await studio.close()
      fs.renameSync(staged, target)
      log(
        `demo project ready: ${albums.length} albums, ${images} album images, source set of ${manifest.counts.sourceImages} images`,
      )
      return { path: target, created: true, albums: albums.length, images, problems }
    } finally {
      await studio.close()
    }
  } finally {
    fs.rmSync(staging, { recursive: true, force: true })
    fs.rmSync(data, { recursive: true, force: true })
  }
}
