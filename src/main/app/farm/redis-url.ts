/**
 * The farm's Redis address, as a curator types it: `redis://[user:password@]host[:port][/db]`, or
 * `rediss://…` for TLS. Parsed once into the connection options BullMQ and ioredis take, and redacted
 * wherever it is shown or logged: a password never reaches a log line, a job, or a run record.
 */

export interface RedisAddress {
  host: string
  port: number
  db: number
  username: string | null
  password: string | null
  tls: boolean
}

export class RedisUrlError extends Error {}

/** Connection options for BullMQ / ioredis (blocking commands need maxRetriesPerRequest null). */
export interface RedisConnectionOptions {
  host: string
  port: number
  db: number
  username?: string
  password?: string
  tls?: Record<string, never>
  maxRetriesPerRequest: null
}

export function parseRedisUrl(raw: string): RedisAddress {
  let u: URL
  try {
    u = new URL(raw.trim())
  } catch {
    throw new RedisUrlError(
      `"${redactRedisUrl(raw)}" is not a Redis URL (redis://host:port or rediss://host:port)`,
    )
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:')
    throw new RedisUrlError(`the farm's URL must start with redis:// or rediss:// (got ${u.protocol}//)`)
  if (!u.hostname) throw new RedisUrlError('the farm URL names no host')
  const port = u.port === '' ? 6379 : Number(u.port)
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new RedisUrlError(`the farm URL's port must be 1–65535 (got ${u.port})`)
  const dbText = u.pathname.replace(/^\//, '')
  const db = dbText === '' ? 0 : Number(dbText)
  if (!Number.isInteger(db) || db < 0 || db > 15)
    throw new RedisUrlError(`the farm URL's database must be 0–15 (got "${dbText}")`)
  if (u.search || u.hash) throw new RedisUrlError('the farm URL takes no query or fragment')
  return {
    // URL keeps IPv6 hosts in brackets; ioredis wants them bare.
    host: u.hostname.replace(/^\[(.*)\]$/, '$1'),
    port,
    db,
    username: u.username ? decodeURIComponent(u.username) : null,
    password: u.password ? decodeURIComponent(u.password) : null,
    tls: u.protocol === 'rediss:',
  }
}

export function connectionOptions(a: RedisAddress): RedisConnectionOptions {
  return {
    host: a.host,
    port: a.port,
    db: a.db,
    ...(a.username ? { username: a.username } : {}),
    ...(a.password ? { password: a.password } : {}),
    ...(a.tls ? { tls: {} } : {}),
    maxRetriesPerRequest: null,
  }
}

/** The URL with any user and password replaced by `***`: safe for logs, errors and the UI. */
export function redactRedisUrl(raw: string): string {
  return raw.replace(/^(\s*rediss?:\/\/)([^@/]*)@/i, '$1***@')
}

/** An address for display: scheme, host, port and db, never credentials. */
export function describeRedis(a: RedisAddress): string {
  const host = a.host.includes(':') ? `[${a.host}]` : a.host
  return `${a.tls ? 'rediss' : 'redis'}://${a.username || a.password ? '***@' : ''}${host}:${a.port}/${a.db}`
}
