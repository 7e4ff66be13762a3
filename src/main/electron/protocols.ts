/**
 * Custom protocols of the desktop app, as plain Request → Response functions (tested in Node):
 *
 * - `pss-app://studio/…` serves the built renderer with the CSP header, and `pss-app://studio/media/<ref>`
 *   the open project's media. Same layout as browser mode, and same origin as the page, so the
 *   renderer can use `/media/<ref>` in both doors and canvases reading media are not tainted.
 * - `pss-media://media/<ref>` serves the same media for code that wants an explicit media URL.
 *
 * Both go through `studio.resolveMedia`; a malformed or refused ref is a 404.
 */
import { createReadStream } from 'node:fs'
import { Readable } from 'node:stream'
import { contentSecurityPolicy } from '../server/csp'
import { BASE_HEADERS } from '../server/http-util'
import { MEDIA_PREFIX, locateMedia, mediaHeaders } from '../server/media-route'
import { StaticFiles, contentTypeFor, staticRelPath } from '../server/static-route'
import type { StudioPort } from '../server/studio-port'

export const APP_SCHEME = 'pss-app'
export const APP_HOST = 'studio'
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`
export const MEDIA_SCHEME = 'pss-media'
export const MEDIA_HOST = 'media'

/** CSP of the desktop renderer: everything from our own origin, media also from pss-media:. */
export const ELECTRON_CSP = contentSecurityPolicy({
  img: [`${MEDIA_SCHEME}:`],
  connect: [`${MEDIA_SCHEME}:`],
})

function notFound(): Response {
  return new Response('not found', {
    status: 404,
    headers: { ...BASE_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' },
  })
}

function parse(url: string): URL | null {
  try {
    return new URL(url)
  } catch {
    return null
  }
}

async function mediaResponse(
  studio: StudioPort,
  encodedRef: string,
  extra: Record<string, string>,
): Promise<Response> {
  const media = await locateMedia(studio, encodedRef)
  if (media === null) return notFound()
  const body = Readable.toWeb(createReadStream(media.path)) as unknown as ReadableStream<Uint8Array>
  return new Response(body, { status: 200, headers: { ...mediaHeaders(media), ...extra } })
}

export async function appProtocolResponse(
  studio: StudioPort,
  files: StaticFiles,
  url: string,
): Promise<Response> {
  const u = parse(url)
  if (u === null || u.host !== APP_HOST) return notFound()
  if (u.pathname.startsWith(MEDIA_PREFIX))
    return mediaResponse(studio, u.pathname.slice(MEDIA_PREFIX.length), {})
  const rel = staticRelPath(u.pathname)
  const body = rel === null ? null : await files.read(rel)
  if (rel === null || body === null) return notFound()
  const headers: Record<string, string> = { ...BASE_HEADERS, 'Content-Type': contentTypeFor(rel) }
  if (rel.endsWith('.html')) headers['Content-Security-Policy'] = ELECTRON_CSP
  return new Response(new Uint8Array(body), { status: 200, headers })
}

export async function mediaProtocolResponse(studio: StudioPort, url: string): Promise<Response> {
  const u = parse(url)
  if (u === null || u.host !== MEDIA_HOST) return notFound()
  // The page (pss-app://studio) is another origin: allow it to read pixels (canvas) of media.
  return mediaResponse(studio, u.pathname.slice(1), { 'Access-Control-Allow-Origin': APP_ORIGIN })
}
