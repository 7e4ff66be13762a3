/**
 * Serves the built renderer (out/renderer): index.html with the CSP, and the files Vite emitted
 * next to it (assets/…, public files). No directory listing, no dotfiles, nothing outside the folder.
 */
import { readFile, realpath, stat } from 'node:fs/promises'
import { extname, join, sep } from 'node:path'
import type { ServerResponse } from 'node:http'
import { BASE_HEADERS, safeDecode, sendText } from './http-util'

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
}

export function contentTypeFor(file: string): string {
  return CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream'
}

/** The renderer-relative file a request path names, or null when it is not a plain safe path. */
export function staticRelPath(rawPath: string): string | null {
  if (rawPath === '/' || rawPath === '/index.html') return 'index.html'
  const segments: string[] = []
  for (const raw of rawPath.slice(1).split('/')) {
    const s = safeDecode(raw)
    if (
      s === null ||
      s === '' ||
      s.startsWith('.') ||
      s.includes('/') ||
      s.includes('\\') ||
      s.includes('\0')
    )
      return null
    segments.push(s)
  }
  return segments.length === 0 ? null : segments.join('/')
}

export class StaticFiles {
  constructor(private readonly root: string) {}

  /** Reads a renderer file, or null when it does not exist, is not a file, or resolves outside. */
  async read(rel: string): Promise<Buffer | null> {
    try {
      // Resolved per request: the renderer may be rebuilt (and the folder replaced) while serving.
      const root = await realpath(this.root)
      const real = await realpath(join(root, rel))
      if (!real.startsWith(root + sep)) return null
      if (!(await stat(real)).isFile()) return null
      return await readFile(real)
    } catch {
      return null
    }
  }

  async send(res: ServerResponse, rel: string, extraHeaders: Record<string, string> = {}): Promise<void> {
    const body = await this.read(rel)
    if (body === null) {
      if (rel === 'index.html') {
        sendText(
          res,
          500,
          `the renderer is not built: ${join(this.root, 'index.html')} is missing — run \`npm run build\``,
        )
      } else {
        sendText(res, 404, 'not found')
      }
      return
    }
    res.writeHead(200, {
      ...BASE_HEADERS,
      'Content-Type': contentTypeFor(rel),
      'Content-Length': String(body.length),
      // Vite puts a content hash in asset names; index.html must always be fetched fresh.
      'Cache-Control': rel.startsWith('assets/') ? 'private, max-age=31536000, immutable' : 'no-cache',
      ...extraHeaders,
    })
    res.end(body)
  }
}
