/**
 * `pss-studio run` and `pss-studio runs` on the tiny demo project: a No-DA run waited for and printed
 * (JSON: the stored run record), the runs listed, and bad input answered with a clear message and a
 * non-zero exit code.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ensureDemoProject } from '../../../src/main/app/demo-project'
import { runCli } from '../../../src/main/cli/run'
import { RUN_METHODS, type RunDetail, type RunSummary } from '../../../src/shared/runs'

let tmp = ''
let project = ''
const savedBackend = process.env.PSS_BACKEND
const savedHome = process.env.PSS_STUDIO_HOME

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = []
  const err: string[] = []
  const code = await runCli(args, {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    signal: new AbortController().signal,
  })
  return { code, out: out.join('\n'), err: err.join('\n') }
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pss-runs-cli-'))
  process.env.PSS_BACKEND = 'wasm'
  process.env.PSS_STUDIO_HOME = path.join(tmp, 'home')
  project = (await ensureDemoProject(path.join(tmp, 'demo'), { preset: 'tiny' })).path
}, 120_000)

afterAll(() => {
  for (const [k, v] of [
    ['PSS_BACKEND', savedBackend],
    ['PSS_STUDIO_HOME', savedHome],
  ] as const) {
    if (v === undefined) delete process.env[k]
    else process.env[k] = v
  }
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true })
})

describe('pss-studio run / runs', () => {
  it('runs No-DA on an album, prints the stored run, and lists it', async () => {
    const r = await cli([
      'run',
      '--project',
      project,
      '--album',
      'id2',
      '--method',
      'noda',
      '--iterations',
      '4',
      '--size',
      '32',
      '--json',
    ])
    expect(r.code, r.err).toBe(0)
    const run = JSON.parse(r.out) as RunDetail
    expect(run).toMatchObject({
      kind: 'album',
      method: 'noda',
      status: 'done',
      albumName: 'id2',
      backend: 'wasm',
    })
    expect(run.metrics!.images).toBeGreaterThan(0)
    expect(run.perClass).toHaveLength(21)
    expect(r.err).toContain('[job ')

    const text = await cli(['runs', '--project', project])
    expect(text.code).toBe(0)
    expect(text.out).toContain(
      `#${run.id} noda on "id2" split #${run.splitId} v1 · done · wasm · FIoU ${(run.metrics!.fiou * 100).toFixed(2)}`,
    )
    expect(text.out).toContain(`#${run.sourceRunId} source source model · done`)
    const json = await cli(['runs', '--project', project, '--album', 'id2', '--json'])
    expect((JSON.parse(json.out) as RunSummary[]).map((x) => x.id)).toEqual([run.id])
  }, 120_000)

  it('refuses bad input with a clear message and a non-zero exit', async () => {
    const noAlbum = await cli(['run', '--project', project, '--album', 'nobody', '--method', 'noda'])
    expect(noAlbum.code).toBe(1)
    expect(noAlbum.err).toContain('no album named "nobody" in this project (albums: "id1", "id2", "id3")')
    const badMethod = await cli(['run', '--project', project, '--album', 'id1', '--method', 'no-such-method'])
    expect(badMethod.code).toBe(2)
    expect(badMethod.err).toContain(`--method must be one of ${RUN_METHODS.join(', ')}, got "no-such-method"`)
    const badAdapt = await cli([
      'run',
      '--project',
      project,
      '--album',
      'id1',
      '--method',
      'pss',
      '--adapt-iterations',
      '0',
    ])
    expect(badAdapt.code).toBe(2)
    expect(badAdapt.err).toContain('--adapt-iterations')
    const badSize = await cli([
      'run',
      '--project',
      project,
      '--album',
      'id1',
      '--method',
      'noda',
      '--size',
      '30',
    ])
    expect(badSize.code).toBe(2)
    expect(badSize.err).toContain('--size must be a multiple of 8')
    const missing = await cli(['runs'])
    expect(missing.code).toBe(2)
    expect(missing.err).toContain('missing required option --project')
  })

  it('--album all: the run on every album at once; an album that cannot run is named and left out', async () => {
    // One album loses its validation split (as a fresh import would have none): it is left out, by name.
    const db = new Database(path.join(project, 'project.sqlite'))
    db.prepare("UPDATE albums SET active_split_id = NULL WHERE name = 'id3'").run()
    db.close()
    const r = await cli([
      'run',
      '--project',
      project,
      '--album',
      'all',
      '--method',
      'noda',
      '--iterations',
      '4',
      '--size',
      '32',
      '--json',
    ])
    expect(r.code, r.err).toBe(0)
    expect(r.err).toMatch(/left out "id3": album "id3" has no validation split/)
    const { runs, skipped } = JSON.parse(r.out) as { runs: RunDetail[]; skipped: { album: string }[] }
    expect(skipped.map((x) => x.album)).toEqual(['id3'])
    expect(runs.map((x) => x.albumName).sort()).toEqual(['id1', 'id2'])
    for (const x of runs) {
      expect(x.status).toBe('done')
      expect(x.metrics!.images).toBeGreaterThan(0)
    }
  }, 300_000)
})
