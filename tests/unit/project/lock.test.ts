import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { spawn, spawnSync } from 'node:child_process'
import { afterEach, describe, expect, it } from 'vitest'
import { acquireLock } from '../../../src/main/project/lock'
import { ProjectLockedError } from '../../../src/main/project/errors'
import { Project } from '../../../src/main/project/project'
import { TempDirs } from './fixtures'

const tmp = new TempDirs()
const children: { kill(): boolean }[] = []
afterEach(() => {
  for (const c of children.splice(0)) c.kill()
  tmp.cleanup()
})

function writeLock(file: string, pid: number, host = os.hostname()): void {
  fs.writeFileSync(
    file,
    JSON.stringify({ pid, host, createdAt: '2024-01-01T00:00:00.000Z', token: 'someone-else' }),
  )
}

/** The pid of a process that has exited (so its lock is stale). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'])
  return Number(r.stdout.toString())
}

describe('project lock', () => {
  it('writes pid, host and time, and a second acquire in the same process is refused', () => {
    const file = path.join(tmp.make(), '.lock')
    const lock = acquireLock(file, '/p')
    const stored = JSON.parse(fs.readFileSync(file, 'utf8'))
    expect(stored).toMatchObject({ pid: process.pid, host: os.hostname() })
    expect(Date.parse(stored.createdAt)).toBeGreaterThan(Date.now() - 60_000)
    expect(() => acquireLock(file, '/p')).toThrow(ProjectLockedError)
    expect(() => acquireLock(file, '/p')).toThrow(/project \/p is already open in this PSS Studio/)
    lock.release()
    expect(fs.existsSync(file)).toBe(false)
    acquireLock(file, '/p').release()
  })

  it('is refused while another live process holds it', () => {
    const file = path.join(tmp.make(), '.lock')
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'])
    children.push(child)
    writeLock(file, child.pid!)
    expect(() => acquireLock(file, '/p')).toThrow(new RegExp(`PSS Studio process ${child.pid}`))
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).token).toBe('someone-else')
  })

  it('takes over a stale lock of a dead process on this host', () => {
    const file = path.join(tmp.make(), '.lock')
    writeLock(file, deadPid())
    const lock = acquireLock(file, '/p')
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).pid).toBe(process.pid)
    lock.release()
  })

  it('refuses a lock from another host (its pid cannot be checked) and names the host', () => {
    const file = path.join(tmp.make(), '.lock')
    writeLock(file, 1, 'other-machine.example')
    expect(() => acquireLock(file, '/p')).toThrow(/on host other-machine\.example .*delete/)
  })

  it('treats an old unreadable lock as stale but a fresh one as being written', () => {
    const file = path.join(tmp.make(), '.lock')
    fs.writeFileSync(file, '')
    expect(() => acquireLock(file, '/p')).toThrow(/opening it right now/)
    const old = new Date(Date.now() - 60_000)
    fs.utimesSync(file, old, old)
    acquireLock(file, '/p').release()
  })

  it('release leaves a lock alone that is no longer ours', () => {
    const file = path.join(tmp.make(), '.lock')
    const lock = acquireLock(file, '/p')
    writeLock(file, process.pid) // someone replaced it (e.g. deleted and re-created by another studio)
    lock.release()
    expect(fs.existsSync(file)).toBe(true)
  })
})

describe('project lock across processes (real store in a child process)', () => {
  const childScript = path.join(__dirname, 'hold-project.child.ts')

  function startHolder(
    mode: 'create' | 'open',
    root: string,
  ): Promise<{ child: ReturnType<typeof spawn>; line: string }> {
    const child = spawn(process.execPath, ['--import', 'tsx', childScript, mode, root], {
      stdio: ['pipe', 'pipe', 'inherit'],
    })
    children.push(child)
    return new Promise((resolve, reject) => {
      let out = ''
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString()
        if (out.includes('\n')) resolve({ child, line: out.trim() })
      })
      child.on('error', reject)
      child.on('exit', (code) => {
        if (!out.includes('\n')) reject(new Error(`child exited with ${code} before opening`))
      })
    })
  }

  it('refuses while another process holds the project, and takes over after that process is killed', async () => {
    const root = path.join(tmp.make(), 'p')
    const { child, line } = await startHolder('create', root)
    expect(line).toBe(`open ${child.pid}`)
    expect(() => Project.open(root)).toThrow(ProjectLockedError)
    expect(() => Project.open(root)).toThrow(new RegExp(`PSS Studio process ${child.pid}`))
    // The holder crashes (no cleanup): its lock is stale and the next open takes it over.
    const exited = new Promise((r) => child.on('exit', r))
    child.kill('SIGKILL')
    await exited
    expect(fs.existsSync(path.join(root, '.lock'))).toBe(true)
    const p = Project.open(root)
    expect(JSON.parse(fs.readFileSync(path.join(root, '.lock'), 'utf8')).pid).toBe(process.pid)
    // and now the other direction: a child is refused while we hold it
    const refused = await startHolder('open', root)
    expect(refused.line).toMatch(
      new RegExp(
        `^error PROJECT_LOCKED project ${root} is already open in PSS Studio process ${process.pid}`,
      ),
    )
    p.close()
  }, 60_000)
})
