/**
 * Where the desktop window may go: only our own app origin (or, in development, the Vite dev
 * server). Everything else — links, redirects, window.open — is refused; a compromised or confused
 * renderer must not load foreign content next to the preload API.
 */
export function sameOrigin(url: string, allowedOrigins: readonly string[]): boolean {
  let origin: string
  try {
    const u = new URL(url)
    // Custom schemes have an opaque `origin` ("null") in Node's URL; compare scheme + host instead.
    origin = `${u.protocol}//${u.host}`
  } catch {
    return false
  }
  return allowedOrigins.includes(origin)
}

/** An IPC sender frame is trusted when it is our window's top frame showing our own origin. */
export function isTrustedFrame(
  frame: { url: string; parent: unknown } | null | undefined,
  allowedOrigins: readonly string[],
): boolean {
  return frame != null && frame.parent === null && sameOrigin(frame.url, allowedOrigins)
}
