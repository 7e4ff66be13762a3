/**
 * The project lock: a `.lock` file holding who has the project open (pid, host, time, a token).
 * Created with O_EXCL so two openers cannot both win. A lock left by a process that no longer runs on
 * this host is stale and taken over; a live one (in another process or in this one) refuses the open.
 */
import fs from 'node:fs'
import os from 'node:os'
import crypto from 'node:crypto'
import { ProjectLockedError, StoreIoError } from './errors'

export interface LockInfo {
  pid: number
  host: string
  createdAt: string
  token: string
}

export interface ProjectLock {
  readonly file: string
  readonly info: LockInfo
  release(): void
}

/** An unreadable lock younger than this may be one being written right now. */
const HALF_WRITTEN_GRACE_MS = 5000

function readLock(file: string): LockInfo | null {
  try {
    const v = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<LockInfo>
    if (typeof v.pid === 'number' && typeof v.host === 'string' && typeof v.token === 'string') {
      return { pid: v.pid, host: v.host, createdAt: String(v.createdAt ?? ''), token: v.token }
    }
  } catch {
    /* unreadable or half-written */
  }
  return null
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Tokens of locks released while their file was not where it was created (the project folder was moved
 * while open): the lock file travelled with the folder, and reopening the folder at its new place in this
 * same process must treat it as stale rather than as held by ourselves.
 */
const abandonedTokens = new Set<string>()

/** Why the existing lock is still valid, or null when it is stale and may be taken over. */
function liveHolder(file: string): string | null {
  const held = readLock(file)
  if (!held) {
    let age = Infinity
    try {
      age = Date.now() - fs.statSync(file).mtimeMs
    } catch {
      return null // vanished meanwhile
    }
    return age < HALF_WRITTEN_GRACE_MS ? 'another PSS Studio that is opening it right now' : null
  }
  if (held.host !== os.hostname()) {
    return `PSS Studio on host ${held.host} (pid ${held.pid}, since ${held.createdAt}); if that studio is gone, delete ${file}`
  }
  // A lock this process released after its folder had been moved away: that project is closed here.
  if (held.pid === process.pid && abandonedTokens.has(held.token)) return null
  if (held.pid === process.pid) return `this PSS Studio (pid ${held.pid}, since ${held.createdAt})`
  if (pidAlive(held.pid)) {
    return `PSS Studio process ${held.pid} (since ${held.createdAt}); if that is not a PSS Studio, delete ${file}`
  }
  return null
}

function tryCreate(file: string, info: LockInfo): boolean {
  let fd: number
  try {
    fd = fs.openSync(file, 'wx', 0o644)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw Object.assign(new StoreIoError(`cannot create the project lock ${file}: ${(e as Error).message}`), {
      cause: e,
    })
  }
  try {
    fs.writeFileSync(fd, JSON.stringify(info))
    fs.fsyncSync(fd)
  } catch (e) {
    // An empty or torn lock (a full disk) would keep every opener out for the half-written grace.
    fs.closeSync(fd)
    fs.rmSync(file, { force: true })
    throw Object.assign(new StoreIoError(`cannot write the project lock ${file}: ${(e as Error).message}`), {
      cause: e,
    })
  }
  fs.closeSync(fd)
  return true
}

export function acquireLock(file: string, projectLabel: string): ProjectLock {
  const info: LockInfo = {
    pid: process.pid,
    host: os.hostname(),
    createdAt: new Date().toISOString(),
    token: crypto.randomBytes(12).toString('hex'),
  }
  // Two rounds: create; if taken and stale, remove the stale file and try once more. Losing the second
  // round means another opener took it over in between: that one wins.
  for (let attempt = 0; attempt < 2; attempt++) {
    if (tryCreate(file, info)) return makeLock(file, info)
    const holder = liveHolder(file)
    if (holder !== null) throw new ProjectLockedError(`project ${projectLabel} is already open in ${holder}`)
    const stale = readLock(file)
    // Only remove the exact stale lock we judged, not one another opener wrote meanwhile.
    if (stale === null || readLock(file)?.token === stale.token) fs.rmSync(file, { force: true })
  }
  throw new ProjectLockedError(
    `project ${projectLabel} is being opened by another PSS Studio at the same moment`,
  )
}

function makeLock(file: string, info: LockInfo): ProjectLock {
  let released = false
  return {
    file,
    info,
    release() {
      if (released) return
      released = true
      // Remove it only if it is still ours (a user may have deleted it and another studio taken over).
      if (readLock(file)?.token === info.token) fs.rmSync(file, { force: true })
      else abandonedTokens.add(info.token)
    },
  }
}
