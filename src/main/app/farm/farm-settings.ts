/**
 * Farm mode's settings, per studio (not per project: a project folder is shared with the workers, its
 * Redis password must not be): `<home>/farm.json`, written atomically with owner-only permissions. The
 * URL (with its password) is read only here and by the FarmClient; everything shown or returned goes
 * through `describeRedis`.
 */
import fs from 'node:fs'
import path from 'node:path'
import type { FarmStatus } from '../../../shared/farm'
import { writeFileAtomic } from '../../files/atomic-file'
import { describeRedis, parseRedisUrl, type RedisAddress } from './redis-url'

interface Stored {
  enabled: boolean
  url: string | null
}

export class FarmSettings {
  readonly file: string
  private check: FarmStatus['check'] = null

  constructor(homeDir: string) {
    this.file = path.join(homeDir, 'farm.json')
  }

  private read(): Stored {
    try {
      const v = JSON.parse(fs.readFileSync(this.file, 'utf8')) as Partial<Stored>
      return { enabled: v.enabled === true, url: typeof v.url === 'string' ? v.url : null }
    } catch {
      return { enabled: false, url: null }
    }
  }

  /** The farm's address when farm mode is on (and its URL still parses), else null. */
  address(): RedisAddress | null {
    const s = this.read()
    if (!s.enabled || !s.url) return null
    try {
      return parseRedisUrl(s.url)
    } catch {
      return null
    }
  }

  status(): FarmStatus {
    const s = this.read()
    let where: string | null = null
    if (s.url) {
      try {
        where = describeRedis(parseRedisUrl(s.url))
      } catch {
        where = 'an unreadable URL (set it again)'
      }
    }
    return { enabled: s.enabled && where !== null, where, check: this.check }
  }

  /** Stores the settings (the URL is checked first; an absent URL keeps the stored one). */
  save(enabled: boolean, url: string | undefined): void {
    const cur = this.read()
    const next: Stored = { enabled, url: url === undefined ? cur.url : url.trim() }
    if (next.url) parseRedisUrl(next.url)
    if (enabled && !next.url) throw new Error('farm mode needs the Redis URL of the farm')
    fs.mkdirSync(path.dirname(this.file), { recursive: true })
    writeFileAtomic(this.file, `${JSON.stringify(next, null, 2)}\n`)
    // Owner-only: the file may hold the farm's password.
    fs.chmodSync(this.file, 0o600)
    this.check = null
  }

  /** The stored settings as they are (to put back after a refused change). */
  snapshot(): { enabled: boolean; url: string | null } {
    return this.read()
  }

  restore(v: { enabled: boolean; url: string | null }): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true })
    writeFileAtomic(this.file, `${JSON.stringify(v, null, 2)}\n`)
    fs.chmodSync(this.file, 0o600)
  }

  noteCheck(ok: boolean, message: string): void {
    this.check = { ok, message, at: new Date().toISOString() }
  }
}
