/**
 * Issue 17, item 3: no path may hang the process. Node 20's recursive mkdir loops forever at 100 % CPU
 * on procfs (`/proc/nope`), deaf to signals. createProject, exportMasks and `pss-studio create` on such
 * paths must answer with an error naming the path in ≤ 1 s. The API calls run in a child process (a
 * synchronous endless loop cannot be interrupted in-process) that is killed if it does not answer.
 * And every long CLI operation stays interruptible: SIGTERM during an import ends the process cleanly.
 */
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { makeDirSync, MakeDirError } from '../../../src/main/files/make-dir'
import { writeJpeg } from '../server/helpers'

const onLinuxWithProc = process.platform === 'linux' && fs.existsSync('/proc/self')
const made: string[] = []
afterEach(() => {
  for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true })
})

/** Runs the child and resolves with its JSON line, or a timeout marker once it is killed. */
function runChild(bad: string, limitMs: number): Promise<Record<string, unknown>> {
  const script = path.join(__dirname, 'procfs-paths.child.ts')
  const child = spawn(process.execPath, ['--import', 'tsx', script, bad], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  child.stdout.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr.on('data', (d: Buffer) => (err += d.toString()))
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), limitMs)
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      const line = out.trim().split('\n').pop() ?? ''
      if (signal === 'SIGKILL') resolve({ timedOut: true, stderr: err.slice(-2000) })
      else if (line.startsWith('{')) resolve(JSON.parse(line) as Record<string, unknown>)
      else resolve({ exitCode: code, stdout: out, stderr: err.slice(-2000) })
    })
  })
}

describe.runIf(onLinuxWithProc)('paths under /proc answer with an error instead of hanging', () => {
  it('makeDirSync refuses procfs and sysfs folders at once, naming the path', () => {
    for (const bad of ['/proc/nope', '/proc/nope/a/b', '/proc/self/nope']) {
      const t0 = performance.now()
      expect(() => makeDirSync(bad)).toThrow(MakeDirError)
      expect(() => makeDirSync(bad)).toThrow(new RegExp(`cannot create the folder ${bad}: .*procfs`))
      expect(performance.now() - t0).toBeLessThan(1000)
    }
    if (fs.existsSync('/sys/kernel')) expect(() => makeDirSync('/sys/nope')).toThrow(/sysfs/)
  })

  it('makeDirSync creates nested folders, accepts existing ones and refuses a file in the way', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pss-mkdir-'))
    made.push(root)
    const deep = path.join(root, 'a', 'b', 'c')
    expect(makeDirSync(deep)).toBe(deep)
    expect(fs.statSync(deep).isDirectory()).toBe(true)
    expect(makeDirSync(deep)).toBe(deep)
    fs.writeFileSync(path.join(root, 'file'), 'x')
    expect(() => makeDirSync(path.join(root, 'file', 'sub'))).toThrow(/is a file, not a folder/)
  })

  it('createProject, exportMasks and `pss-studio create` on /proc/nope each fail in ≤ 1 s', async () => {
    // 60 s for the child's start-up (tsx compiles the studio on a busy machine); the calls are timed inside.
    const r = await runChild('/proc/nope', 60_000)
    expect(r.timedOut, 'the child hung (endless mkdir loop?)').toBeUndefined()
    expect(r.crash, String(r.crash)).toBeUndefined()
    const create = r.create as { ms: number; code: string; message: string }
    const exported = r.exported as { ms: number; code: string; message: string }
    const cli = r.cli as { ms: number; exit: number; err: string }
    expect(create.code).toBe('IO_ERROR')
    expect(create.message).toMatch(/cannot create the folder \/proc\/nope: .*procfs/)
    expect(create.ms).toBeLessThan(1000)
    expect(exported.code).toBe('IO_ERROR')
    expect(exported.message).toMatch(/cannot create the folder \/proc\/.*procfs/)
    expect(exported.ms).toBeLessThan(1000)
    expect(cli.exit).toBe(1)
    expect(cli.err).toMatch(/\/proc\/nope.*procfs/)
    expect(cli.ms).toBeLessThan(1000)
  }, 90_000)
})

describe('long CLI operations stay interruptible', () => {
  it('SIGTERM during `pss-studio import` cancels the job, releases the lock and exits 1 within seconds', async () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pss-sigterm-'))
    made.push(work)
    const photos = path.join(work, 'photos')
    fs.mkdirSync(photos)
    for (let i = 0; i < 400; i++) await writeJpeg(path.join(photos, `p${i}.jpg`), 64, 64, 11 + i * 7919)
    const project = path.join(work, 'project')
    const cliEntry = path.join(__dirname, '../../../src/main/cli/index.ts')
    const env = { ...process.env, PSS_STUDIO_HOME: path.join(work, 'home') }
    const cli = (...argv: string[]) =>
      spawn(process.execPath, ['--import', 'tsx', cliEntry, ...argv], {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      })
    const exitOf = (child: ReturnType<typeof cli>) =>
      new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
    expect(await exitOf(cli('create', '--project', project))).toBe(0)

    const child = cli('import', '--project', project, '--folder', photos, '--album', 'a')
    const exited = exitOf(child)
    let err = ''
    let signalledAt = 0
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString()
      // Signal once the job is running (the first progress line).
      if (signalledAt === 0 && /\[job \d+\] running/.test(err)) {
        signalledAt = Date.now()
        child.kill('SIGTERM')
      }
    })
    const killer = setTimeout(() => child.kill('SIGKILL'), 60_000)
    const code = await exited
    clearTimeout(killer)
    expect(signalledAt, `the import never reported running: ${err}`).toBeGreaterThan(0)
    expect(Date.now() - signalledAt).toBeLessThan(8000)
    expect(code, err).toBe(1)
    expect(err).toMatch(/Cancelling job \d+/)
    expect(err).toMatch(/Import cancelled/)
    expect(fs.existsSync(path.join(project, '.lock'))).toBe(false)
  }, 120_000)
})
