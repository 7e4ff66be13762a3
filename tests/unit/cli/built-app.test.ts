/**
 * The built app as users run it (CLI, bin launcher, sandboxed preload bundle): `electron-vite build` into a fresh folder under .tmp/ (so a build
 * of out/ running at the same time cannot interfere), then real processes: exit codes, stdout/stderr, the serve
 * loop with its printed URL, Ctrl-C, and the bin launcher.
 */
import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import vm from 'node:vm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TempDirs } from '../server/helpers'

const repo = path.resolve(__dirname, '../../..')
const tmp = new TempDirs()
let out: string
let cliJs: string
let env: NodeJS.ProcessEnv

let buildRoot: string

beforeAll(() => {
  // Inside the repo (.tmp/ is git-ignored): the bundle requires its dependencies from node_modules.
  fs.mkdirSync(path.join(repo, '.tmp'), { recursive: true })
  buildRoot = fs.mkdtempSync(path.join(repo, '.tmp', 'cli-build-'))
  out = path.join(buildRoot, 'out')
  const build = spawnSync(
    process.execPath,
    [path.join(repo, 'node_modules/electron-vite/bin/electron-vite.js'), 'build', '--outDir', out],
    {
      cwd: repo,
      encoding: 'utf8',
    },
  )
  cliJs = path.join(out, 'main', 'cli.js')
  // The renderer half of the build belongs to others and may be mid-edit; the CLI needs only main.
  if (!fs.existsSync(cliJs))
    throw new Error(`electron-vite build did not produce ${cliJs}:\n${build.stdout}\n${build.stderr}`)
  env = { ...process.env, PSS_STUDIO_HOME: tmp.make('pss-home-') }
}, 120_000)
afterAll(() => {
  tmp.cleanup()
  fs.rmSync(buildRoot, { recursive: true, force: true })
})

function node(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, args, { env, encoding: 'utf8', timeout: 60_000 })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

describe('node out/main/cli.js', () => {
  it('create + info --json on a new project', () => {
    const dir = path.join(tmp.make(), 'p')
    const created = node([cliJs, 'create', '--project', dir, '--name', 'Built'])
    expect(created.code, created.stderr).toBe(0)
    expect(created.stdout).toBe(`Created project "Built" at ${dir}\n`)
    const info = node([cliJs, 'info', '--project', dir, '--json'])
    expect(info.code, info.stderr).toBe(0)
    expect(JSON.parse(info.stdout)).toMatchObject({
      project: { name: 'Built', path: dir },
      albums: [],
      sources: [],
      runs: [],
      jobs: [],
    })
  })

  it('a bad option exits 2 with a message on stderr and nothing on stdout', () => {
    const r = node([cliJs, 'info', '--project', 'x', '--colour'])
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toContain("pss-studio info: Unknown option '--colour'")
    expect(r.stderr).toContain('pss-studio info --help')
    const unknown = node([cliJs, 'launch'])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('unknown command "launch"')
  })

  it('serve prints the URL line, answers the API with the token, and stops on SIGINT releasing the project', async () => {
    const dir = path.join(tmp.make(), 'served')
    expect(node([cliJs, 'create', '--project', dir, '--name', 'Served']).code).toBe(0)
    const child = spawn(process.execPath, [cliJs, 'serve', '--project', dir, '--port', '0'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
    try {
      const line = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => {
          stdout += d.toString()
          const m =
            /^PSS Studio \(browser mode\): (http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{32})$/m.exec(
              stdout,
            )
          if (m) resolve(m[1]!)
        })
        child.once('exit', () => reject(new Error(`serve exited early: ${stdout}\n${stderr}`)))
      })
      const url = new URL(line)
      expect(fs.existsSync(path.join(dir, '.lock'))).toBe(true)
      const res = await fetch(`${url.origin}/api/appInfo`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-pss-token': url.searchParams.get('token')! },
        body: '{}',
      })
      expect(res.status).toBe(200)
      expect(
        ((await res.json()) as { result: { mode: string; project: { name: string } } }).result,
      ).toMatchObject({ mode: 'browser', project: { name: 'Served' } })
      expect(
        (
          await fetch(`${url.origin}/api/appInfo`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: '{}',
          })
        ).status,
      ).toBe(401)
      if (fs.existsSync(path.join(out, 'renderer', 'index.html'))) {
        const page = await fetch(line)
        expect(page.status).toBe(200)
        expect(await page.text()).toContain('<div id="app">')
      }
    } finally {
      child.kill('SIGINT')
    }
    expect(await exited).toBe(0)
    expect(stderr).toContain('Stopping the server')
    expect(fs.existsSync(path.join(dir, '.lock'))).toBe(false)
  })
})

describe('bin/pss-studio.cjs', () => {
  it('runs the built CLI next to it', () => {
    fs.mkdirSync(path.join(buildRoot, 'bin'))
    fs.copyFileSync(path.join(repo, 'bin', 'pss-studio.cjs'), path.join(buildRoot, 'bin', 'pss-studio.cjs'))
    const r = node([path.join(buildRoot, 'bin', 'pss-studio.cjs'), 'info', '--help'])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/^Usage: pss-studio info /)
  })

  it('without out/ and without node_modules it says to run npm install (exit 1)', () => {
    const root = tmp.make('pss-bin-')
    fs.mkdirSync(path.join(root, 'bin'))
    fs.copyFileSync(path.join(repo, 'bin', 'pss-studio.cjs'), path.join(root, 'bin', 'pss-studio.cjs'))
    const r = node([path.join(root, 'bin', 'pss-studio.cjs'), 'info'])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('the app is not built yet')
    expect(r.stderr).toContain('Run `npm install`')
  })
})

describe('out/preload/index.js (sandboxed preload)', () => {
  /**
   * Runs the bundle in a fresh VM context with a recording stand-in for the two Electron objects it
   * may touch; a sandboxed preload can require nothing else.
   */
  function loadPreload(reply: (channel: string, args: unknown) => unknown) {
    const code = fs.readFileSync(path.join(out, 'preload', 'index.js'), 'utf8')
    const exposed = new Map<string, unknown>()
    const invoked: [string, unknown][] = []
    let eventListener: ((e: unknown, m: unknown) => void) | null = null
    const electron = {
      contextBridge: { exposeInMainWorld: (key: string, value: unknown) => exposed.set(key, value) },
      ipcRenderer: {
        invoke: async (channel: string, args: unknown) => {
          invoked.push([channel, args])
          return reply(channel, args)
        },
        on: (channel: string, fn: (e: unknown, m: unknown) => void) => {
          expect(channel).toBe('studio:event')
          eventListener = fn
        },
      },
    }
    const required: string[] = []
    const module = { exports: {} }
    vm.runInNewContext(code, {
      require: (name: string) => {
        required.push(name)
        if (name !== 'electron') throw new Error(`a sandboxed preload cannot require ${name}`)
        return electron
      },
      module,
      exports: module.exports,
      console,
    })
    return { exposed, invoked, required, emit: (m: unknown) => eventListener?.({}, m) }
  }

  it('requires only electron and exposes one function per method, on() and mode — no raw invoke', async () => {
    const { exposed, required } = loadPreload((channel) => ({ ok: true, result: channel }))
    expect(required).toEqual(['electron'])
    expect([...exposed.keys()]).toEqual(['studio'])
    const studio = exposed.get('studio') as Record<string, unknown>
    const { API_METHODS } = await import('../../../src/shared/api')
    expect(Object.keys(studio).sort()).toEqual([...API_METHODS, 'on', 'mode'].sort())
    expect(studio.mode).toBe('electron')
    expect(studio.invoke).toBeUndefined()
    expect(studio.send).toBeUndefined()
  })

  it('calls studio:<method> with one argument object and unwraps {ok,result}; errors reject with the payload', async () => {
    const { exposed, invoked } = loadPreload((channel) =>
      channel === 'studio:listAlbums'
        ? { ok: false, error: { code: 'NO_PROJECT', message: 'no project is open' } }
        : { ok: true, result: { channel } },
    )
    const studio = exposed.get('studio') as Record<string, (a?: unknown) => Promise<unknown>>
    expect(await studio.getJob!({ jobId: 3 })).toEqual({ channel: 'studio:getJob' })
    expect(await studio.appInfo!()).toEqual({ channel: 'studio:appInfo' })
    expect(invoked).toEqual([
      ['studio:getJob', { jobId: 3 }],
      ['studio:appInfo', {}],
    ])
    await expect(studio.listAlbums!({})).rejects.toEqual({
      code: 'NO_PROJECT',
      message: 'no project is open',
    })
  })

  it('on() delivers only its event, unsubscribes, and refuses unknown events', () => {
    const { exposed, emit } = loadPreload(() => ({ ok: true, result: null }))
    const studio = exposed.get('studio') as { on: (e: string, cb: (p: unknown) => void) => () => void }
    const jobs: unknown[] = []
    const projects: unknown[] = []
    const offJob = studio.on('job', (p) => jobs.push(p))
    studio.on('project', (p) => projects.push(p))
    emit({ event: 'job', payload: { id: 1 } })
    emit({ event: 'project', payload: null })
    offJob()
    emit({ event: 'job', payload: { id: 2 } })
    expect(jobs).toEqual([{ id: 1 }])
    expect(projects).toEqual([null])
    expect(() => studio.on('secrets', () => {})).toThrow(/unknown studio event "secrets"/)
  })
})
