/**
 * The browser-mode server's gatekeeping, as pure functions: session token, cookie, Host and Origin
 * checks. A local HTTP server is reachable by every web page the user visits (via fetch, forms,
 * WebSocket, DNS rebinding), so each request must prove it carries the session token and comes from
 * our own origin.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto'
import { isIP } from 'node:net'

export const TOKEN_HEADER = 'x-pss-token'

/** 24 random bytes, base64url: 32 characters, 192 bits. */
export function newSessionToken(): string {
  return randomBytes(24).toString('base64url')
}

/**
 * Cookie name carries the port because cookies are not isolated by port: two studios on
 * 127.0.0.1 (two projects open in one browser) would otherwise overwrite each other's token.
 */
export function tokenCookieName(port: number): string {
  return `pss_token_${port}`
}

/** Constant-time comparison, so response timing does not leak how much of a guess was right. */
export function tokenMatches(expected: string, given: string | undefined | null): boolean {
  if (typeof given !== 'string' || given.length === 0) return false
  const a = Buffer.from(expected, 'utf8')
  const b = Buffer.from(given, 'utf8')
  return a.length === b.length && timingSafeEqual(a, b)
}

/** All values of cookie `name` in a Cookie header (a browser may send duplicates with different paths). */
export function cookieValues(header: string | undefined, name: string): string[] {
  if (!header) return []
  const out: string[] = []
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq < 0) continue
    if (part.slice(0, eq).trim() === name) out.push(part.slice(eq + 1).trim())
  }
  return out
}

export function sessionCookie(port: number, token: string): string {
  return `${tokenCookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`
}

export interface RequestCredentials {
  cookie: string | undefined
  tokenHeader: string | string[] | undefined
}

/** True when the request carries the session token in our cookie or in the `x-pss-token` header. */
export function requestAuthenticated(expected: string, port: number, creds: RequestCredentials): boolean {
  const header = Array.isArray(creds.tokenHeader) ? creds.tokenHeader[0] : creds.tokenHeader
  if (tokenMatches(expected, header)) return true
  return cookieValues(creds.cookie, tokenCookieName(port)).some((v) => tokenMatches(expected, v))
}

/** Any-address binds (every interface). */
export function isWildcardHost(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]'
}

/** 127.0.0.0/8, ::1, or the name localhost. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase()
  if (h === 'localhost' || h === '::1') return true
  return isIP(h) === 4 && h.startsWith('127.')
}

/** `host:port` as it appears in a Host header / URL authority (IPv6 in brackets). */
export function authority(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`
}

/**
 * Host header values we answer to. Loopback binds accept only loopback names: a DNS-rebinding page
 * reaches us under the attacker's host name, which is refused. A deliberate non-loopback bind also
 * accepts the bound address; a wildcard bind accepts any IP literal (an IP literal cannot be a
 * rebound name).
 */
export function hostAllowed(hostHeader: string | undefined, bindHost: string, port: number): boolean {
  if (!hostHeader) return false
  const host = hostHeader.toLowerCase()
  const allowed = new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`])
  if (!isWildcardHost(bindHost)) allowed.add(authority(bindHost, port).toLowerCase())
  if (allowed.has(host)) return true
  if (isWildcardHost(bindHost)) {
    const m = /^(\[[0-9a-f:.]+\]|[0-9.]+):(\d+)$/.exec(host)
    return m !== null && Number(m[2]) === port && isIP(m[1]!.replace(/^\[|\]$/g, '')) !== 0
  }
  return false
}

/** An Origin, when a browser sends one, must be our own origin (the Host already checked). */
export function originAllowed(origin: string | undefined, hostHeader: string | undefined): boolean {
  if (origin === undefined) return true
  if (!hostHeader) return false
  return origin.toLowerCase() === `http://${hostHeader.toLowerCase()}`
}
