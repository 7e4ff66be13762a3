/** GET /media/<ref>: streams a file of the open project, as resolved by the studio. */
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { BASE_HEADERS, sendText } from './http-util'
import { refFromMediaPath } from './media-ref'
import type { ResolvedMedia, StudioPort } from './studio-port'

export const MEDIA_PREFIX = '/media/'

export interface LocatedMedia extends ResolvedMedia {
  ref: string
  size: number
}

/**
 * The file an encoded media ref names, or null (→ 404) when the ref is malformed, the studio refuses
 * it, or the file is not a regular file. Shared by the HTTP route and Electron's media protocol.
 */
export async function locateMedia(studio: StudioPort, encodedRef: string): Promise<LocatedMedia | null> {
  const ref = refFromMediaPath(encodedRef)
  const media = ref === null ? null : studio.resolveMedia(ref)
  if (ref === null || media === null) return null
  try {
    const st = await stat(media.path)
    return st.isFile() ? { ref, path: media.path, contentType: media.contentType, size: st.size } : null
  } catch {
    return null
  }
}

/** Response headers for a media file (both doors). */
export function mediaHeaders(media: LocatedMedia): Record<string, string> {
  return {
    ...BASE_HEADERS,
    'Content-Type': media.contentType,
    'Content-Length': String(media.size),
    // Thumbnails are rebuilt rarely and requested constantly while scrolling the grid.
    'Cache-Control': media.ref.startsWith('thumb/') ? 'private, max-age=3600' : 'private, no-cache',
  }
}

export async function handleMedia(
  studio: StudioPort,
  req: IncomingMessage,
  res: ServerResponse,
  rawPath: string,
): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    req.resume()
    sendText(res, 405, 'media is read with GET', { Allow: 'GET, HEAD' })
    return
  }
  const media = await locateMedia(studio, rawPath.slice(MEDIA_PREFIX.length))
  if (media === null) {
    sendText(res, 404, 'no such media')
    return
  }
  // Only our own pages may embed project media.
  const headers = { ...mediaHeaders(media), 'Cross-Origin-Resource-Policy': 'same-origin' }
  if (req.method === 'HEAD') {
    res.writeHead(200, headers)
    res.end()
    return
  }
  await new Promise<void>((resolve) => {
    const stream = createReadStream(media.path)
    stream.once('open', () => {
      res.writeHead(200, headers)
      stream.pipe(res)
    })
    stream.once('error', () => {
      // Gone between stat and open: nothing sent yet, so a clean 404; mid-stream: cut the response.
      if (!res.headersSent) sendText(res, 404, 'no such media')
      else res.destroy()
      resolve()
    })
    res.once('close', () => {
      stream.destroy()
      resolve()
    })
  })
}
