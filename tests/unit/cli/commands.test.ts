/** The CLI's commands run in-process (runCli with captured output) against real projects. */
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { runCli } from '../../../src/main/cli/run'
import { TempDirs, writeJpeg } from '../server/helpers'

const tmp = new TempDirs()
let home: string
const savedHome = process.env.PSS_STUDIO_HOME

beforeEach(() => {
  home = tmp.make('pss-home-')
  process.env.PSS_STUDIO_HOME = home
})
afterEach(() => {
  if (savedHome === undefined) delete process.env.PSS_STUDIO_HOME
  else process.env.PSS_STUDIO_HOME = savedHome
  tmp.cleanup()
})

interface Run {
  code: number
  out: string
  err: string
}

async function cli(...argv: string[]): Promise<Run> {
  return cliWith(new AbortController().signal, ...argv)
}

async function cliWith(signal: AbortSignal, ...argv: string[]): Promise<Run> {
  const out: string[] = []
  const err: string[] = []
  const code = await runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l), signal })
  return { code, out: out.join('\n'), err: err.join('\n') }
}

async function newProject(): Promise<string> {
  const dir = path.join(tmp.make(), 'project')
  const r = await cli('create', '--project', dir, '--name', 'CLI test')
  expect(r.code, r.err).toBe(0)
  return dir
}

describe('create and info', () => {
  it('create --json prints the project; info --json on it lists empty albums, sources, runs and jobs', async () => {
    const dir = path.join(tmp.make(), 'fresh')
    const created = await cli('create', '--project', dir, '--name', 'Fresh', '--json')
    expect(created.code, created.err).toBe(0)
    expect(JSON.parse(created.out)).toMatchObject({ path: dir, name: 'Fresh', demo: false })
    expect(fs.existsSync(path.join(dir, 'project.sqlite'))).toBe(true)
    // The lock is released when the command ends.
    expect(fs.existsSync(path.join(dir, '.lock'))).toBe(false)

    const info = await cli('info', '--project', dir, '--json')
    expect(info.code, info.err).toBe(0)
    const report = JSON.parse(info.out)
    expect(report.project).toMatchObject({ path: dir, name: 'Fresh' })
    expect(report.albums).toEqual([])
    expect(report.sources).toEqual([])
    expect(report.runs).toEqual([])
    expect(report.jobs).toEqual([])
  })

  it('info in text form names the project and its sections', async () => {
    const dir = await newProject()
    fs.mkdirSync(path.join(dir, 'runs', '2024-01-01-pss'), { recursive: true })
    const r = await cli('info', '--project', dir)
    expect(r.code, r.err).toBe(0)
    expect(r.out).toContain('Project  CLI test')
    expect(r.out).toContain('Albums (0)')
    expect(r.out).toContain('Runs (1)\n  2024-01-01-pss')
  })

  it('create refuses a folder that is not empty (exit 1, message names the problem)', async () => {
    const dir = tmp.make()
    fs.writeFileSync(path.join(dir, 'keep.txt'), 'mine')
    const r = await cli('create', '--project', dir)
    expect(r.code).toBe(1)
    expect(r.err).toMatch(/^pss-studio create: /)
    expect(fs.readFileSync(path.join(dir, 'keep.txt'), 'utf8')).toBe('mine')
  })

  it('info on a folder that is not a project fails with exit 1', async () => {
    const r = await cli('info', '--project', tmp.make())
    expect(r.code).toBe(1)
    expect(r.err).toMatch(/pss-studio info: /)
  })
})

describe('usage errors exit 2 with a clear message', () => {
  it.each([
    [['info', '--bogus'], /Unknown option '--bogus'/],
    [['info'], /missing required option --project/],
    [['info', '--project'], /--project/],
    [['info', '--project', 'x', 'extra'], /Unexpected argument 'extra'/],
    [['frobnicate'], /unknown command "frobnicate"/],
    [['import', '--project', 'x'], /exactly one of --folder, --pis or --voc/],
    [['import', '--project', 'x', '--pis', 'a', '--voc', 'b'], /exactly one of --folder, --pis or --voc/],
    [['import', '--project', 'x', '--folder', 'a'], /missing required option --album/],
    [['import', '--project', 'x', '--pis', 'a', '--copy', '--no-copy'], /contradict/],
    [['import', '--project', 'x', '--pis', 'a', '--album', 'n'], /--album and --recursive go with --folder/],
    [['serve', '--port', 'http'], /--port must be an integer/],
    [['serve', '--port', '70000'], /--port must be an integer/],
    [['serve', '--host', '0.0.0.0'], /--host 0\.0\.0\.0 is not a loopback address.*--allow-remote/],
    [[], /Usage: pss-studio <command>/],
  ])('%j', async (argv, message) => {
    const r = await cli(...argv)
    expect(r.code).toBe(2)
    expect(r.err).toMatch(message)
    expect(r.out).toBe('')
  })

  it('--help prints each command’s usage and exits 0', async () => {
    for (const c of ['create', 'import', 'info', 'serve', 'demo-project']) {
      const r = await cli(c, '--help')
      expect(r.code).toBe(0)
      expect(r.out).toMatch(new RegExp(`^Usage: pss-studio ${c} `))
    }
    const top = await cli('--help')
    expect(top.code).toBe(0)
    expect(top.out).toMatch(/create.*\n.*import.*\n.*info.*\n.*serve/s)
  })
})

describe('import', () => {
  it('imports a folder with a corrupt file: exit 0, the problem listed, the good photos kept', async () => {
    const dir = await newProject()
    const photos = tmp.make('pss-photos-')
    await writeJpeg(path.join(photos, 'good-1.jpg'), 80, 60, 1)
    await writeJpeg(path.join(photos, 'good-2.jpg'), 60, 80, 2)
    fs.writeFileSync(
      path.join(photos, 'broken.jpg'),
      Buffer.from('this is not a jpeg at all, just text pretending'),
    )
    const r = await cli('import', '--project', dir, '--folder', photos, '--album', 'Garden')
    expect(r.code, r.err).toBe(0)
    expect(r.err).toMatch(/problem: .*broken\.jpg: \S+/)
    expect(r.err).not.toMatch(/good-\d\.jpg/)
    expect(r.out).toMatch(/Import finished: 2 imported, 0 duplicates, 0 masks, \d+ rejected, 1 problem$/)

    const info = JSON.parse((await cli('info', '--project', dir, '--json')).out)
    expect(info.albums).toHaveLength(1)
    expect(info.albums[0]).toMatchObject({ name: 'Garden', imageCount: 2, maskedCount: 0 })
    expect(info.jobs[0]).toMatchObject({ status: 'done', problemCount: 1 })
  })

  it('--json prints the finished job record; --no-copy references the originals', async () => {
    const dir = await newProject()
    const photos = tmp.make('pss-photos-')
    await writeJpeg(path.join(photos, 'a.jpg'))
    const r = await cli(
      'import',
      '--project',
      dir,
      '--folder',
      photos,
      '--album',
      'Ref',
      '--no-copy',
      '--json',
    )
    expect(r.code, r.err).toBe(0)
    const job = JSON.parse(r.out)
    expect(job).toMatchObject({ status: 'done', problemCount: 0, result: { imported: 1 } })
    const mediaFiles = fs
      .readdirSync(path.join(dir, 'media'), { recursive: true })
      .filter((f) => String(f).endsWith('.jpg'))
    expect(mediaFiles).toEqual([])
  })

  it('a folder that does not exist: exit 1 with a message naming it', async () => {
    const dir = await newProject()
    const missing = path.join(tmp.make(), 'no-such-folder')
    const r = await cli('import', '--project', dir, '--folder', missing, '--album', 'X')
    expect(r.code).toBe(1)
    expect(r.err).toContain('no-such-folder')
  })

  it('Ctrl-C (abort) cancels the job: exit 1, what was imported is kept', async () => {
    const dir = await newProject()
    const photos = tmp.make('pss-photos-')
    for (let i = 0; i < 20; i++) await writeJpeg(path.join(photos, `p${i}.jpg`), 64, 48, i + 1)
    const ctl = new AbortController()
    ctl.abort()
    const r = await cliWith(ctl.signal, 'import', '--project', dir, '--folder', photos, '--album', 'Stopped')
    expect(r.code).toBe(1)
    expect(r.err).toMatch(/Cancelling job \d+/)
    expect(r.err).toMatch(/Import cancelled/)
    const info = JSON.parse((await cli('info', '--project', dir, '--json')).out)
    expect(info.jobs[0].status).toBe('cancelled')
    expect(info.albums.every((a: { imageCount: number }) => a.imageCount < 20)).toBe(true)
  })

  it('a project that does not exist: exit 1', async () => {
    const r = await cli('import', '--project', path.join(tmp.make(), 'nope'), '--pis', tmp.make())
    expect(r.code).toBe(1)
    expect(r.err).toMatch(/^pss-studio import: /)
  })
})

describe('demo-project', () => {
  it('creates the demo project once (tiny preset), then finds it; a non-empty foreign folder is refused', async () => {
    const saved = process.env.PSS_DEMO_PRESET
    process.env.PSS_DEMO_PRESET = 'tiny'
    try {
      const dir = path.join(tmp.make(), 'demo')
      const first = await cli('demo-project', '--dir', dir, '--json')
      expect(first.code, first.err).toBe(0)
      const made = JSON.parse(first.out)
      expect(made).toMatchObject({ path: dir, created: true, problems: [] })
      expect(made.albums).toBeGreaterThan(0)
      expect(made.images).toBeGreaterThan(0)
      expect(first.err).toMatch(/generating the synthetic personalized benchmark/)

      const again = await cli('demo-project', '--dir', dir)
      expect(again.code, again.err).toBe(0)
      expect(again.out).toBe(`The demo project is already at ${dir}`)
      const info = JSON.parse((await cli('info', '--project', dir, '--json')).out)
      expect(info.project.demo).toBe(true)
      expect(info.albums).toHaveLength(made.albums)

      const foreign = tmp.make()
      fs.writeFileSync(path.join(foreign, 'thesis.tex'), 'mine')
      const refused = await cli('demo-project', '--dir', foreign)
      expect(refused.code).toBe(1)
      expect(refused.err).toMatch(/not empty/)
      expect(fs.readFileSync(path.join(foreign, 'thesis.tex'), 'utf8')).toBe('mine')
    } finally {
      if (saved === undefined) delete process.env.PSS_DEMO_PRESET
      else process.env.PSS_DEMO_PRESET = saved
    }
  })
})
