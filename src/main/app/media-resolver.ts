/**
 * Media refs → files. The only way the doors reach files, so the rules live here:
 *   image/<id>        the registered original (inside the project when copied, else where it was imported from,
 *                     which must be inside the project or a registered import folder: registered-folders.ts)
 *   thumb/<id>        its thumbnail under thumbs/
 *   mask/<id>/<v>     a mask version under masks/
 *   file/<rel>        any file under the project folder, except the database, its journals and the lock
 *   pred/<run>/<img>[/color]  a run's prediction (label PNG or its colour rendering) under runs/<run>/predictions/
 *   predv/<run>/<variant>/<img>[/color]  a prediction variant's (tta | crf | tta-crf) under runs/<run>/variants/<variant>/predictions/
 * Malformed refs, `..` or `.` segments (also percent-encoded), absolute paths, backslashes, NUL bytes and
 * symlinks that lead outside the project all resolve to null (the door answers 404).
 */
import fs from 'node:fs'
import path from 'node:path'
import type { Project } from '../project/project'
import { fromRelPath, PRIVATE_FILES } from '../project/layout'
import { inRegisteredFolder } from '../project/registered-folders'
import { isVariantKind } from '../../shared/variants'

export interface ResolvedMedia {
  path: string
  contentType: string
}

const CONTENT_TYPES: Record<string, string> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.bmp': 'image/bmp',
  '.tif': 'image/tiff',
  '.tiff': 'image/tiff',
  '.avif': 'image/avif',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.bin': 'application/octet-stream',
}

export function contentTypeOf(file: string): string {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream'
}

const ID = /^[1-9][0-9]{0,14}$/
const MAX_REF = 4096

/** True when `child` is `root` itself or inside it (both already resolved). */
function isInside(root: string, child: string): boolean {
  const rel = path.relative(root, child)
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))
}

/** The real path of an existing regular file inside `root` (symlinks followed), or null. */
function realFileInside(root: string, candidate: string): string | null {
  try {
    const realRoot = fs.realpathSync(root)
    const real = fs.realpathSync(candidate)
    if (!isInside(realRoot, real)) return null
    if (!fs.statSync(real).isFile()) return null
    // Lower-cased: on case-insensitive file systems PROJECT.SQLITE is the database too.
    const rel = path.relative(realRoot, real).toLowerCase()
    if (PRIVATE_FILES.has(rel)) return null
    return real
  } catch {
    return null
  }
}

/** Decodes `file/` segments; null when any segment is unsafe after decoding. */
function decodeRelPath(encoded: string): string[] | null {
  if (encoded === '') return null
  const out: string[] = []
  for (const raw of encoded.split('/')) {
    let seg: string
    try {
      seg = decodeURIComponent(raw)
    } catch {
      return null
    }
    if (seg === '' || seg === '.' || seg === '..') return null
    if (seg.includes('/') || seg.includes('\\') || seg.includes('\0') || /^[a-zA-Z]:/.test(seg)) return null
    out.push(seg)
  }
  return out
}

function resolveFile(project: Project, encoded: string): ResolvedMedia | null {
  const segments = decodeRelPath(encoded)
  if (!segments) return null
  const candidate = path.join(project.root, ...segments)
  if (!isInside(project.root, candidate)) return null
  const real = realFileInside(project.root, candidate)
  return real ? { path: real, contentType: contentTypeOf(real) } : null
}

/** Image ids already logged as refused, per project (the grid asks again on every scroll). */
const refusalsLogged = new WeakMap<Project, Set<number>>()

function logRefusal(project: Project, imageId: number, message: string): void {
  const seen = refusalsLogged.get(project) ?? new Set<number>()
  refusalsLogged.set(project, seen)
  if (seen.has(imageId)) return
  seen.add(imageId)
  console.warn(`PSS Studio: refused to serve image ${imageId}: ${message}`)
}

/**
 * The real path of an in-place original when it is a regular file inside the project folder or inside a
 * registered folder (symlinks followed before the check), else null (logged once per image).
 */
function confinedOriginal(project: Project, imageId: number, original: string): string | null {
  let real: string
  try {
    real = fs.realpathSync(original)
    if (!fs.statSync(real).isFile()) return null
  } catch {
    return null // missing: a plain 404, nothing to report
  }
  if (realFileInside(project.root, real) !== null) return real
  if (inRegisteredFolder(project.db, real)) return real
  logRefusal(
    project,
    imageId,
    `${original}${real !== original ? ` (→ ${real})` : ''} is outside the project folder and every registered import folder`,
  )
  return null
}

export function resolveMediaRef(project: Project | null, ref: unknown): ResolvedMedia | null {
  if (!project || !project.isOpen) return null
  if (typeof ref !== 'string' || ref.length === 0 || ref.length > MAX_REF || ref.includes('\0')) return null
  const slash = ref.indexOf('/')
  if (slash < 0) return null
  const kind = ref.slice(0, slash)
  const rest = ref.slice(slash + 1)
  try {
    switch (kind) {
      case 'file':
        return resolveFile(project, rest)
      case 'image': {
        if (!ID.test(rest)) return null
        const row = project.db
          .prepare('SELECT original_path, copied FROM images WHERE id = ?')
          .get(Number(rest)) as { original_path: string; copied: number } | undefined
        if (!row) return null
        if (row.copied === 1) {
          const real = realFileInside(project.root, fromRelPath(project.paths, row.original_path))
          return real ? { path: real, contentType: contentTypeOf(real) } : null
        }
        // A referenced original lives outside the project by design; it is served because the DB
        // registered it at import, never because a request named it — and only from inside the project or
        // a folder the user registered by importing from it in place (a hand-edited row pointing at
        // /etc/passwd is refused and logged).
        const real = confinedOriginal(project, Number(rest), row.original_path)
        return real ? { path: real, contentType: contentTypeOf(real) } : null
      }
      case 'thumb': {
        if (!ID.test(rest)) return null
        const row = project.db.prepare('SELECT thumb_path FROM images WHERE id = ?').get(Number(rest)) as
          { thumb_path: string | null } | undefined
        if (!row?.thumb_path) return null
        const real = realFileInside(project.root, fromRelPath(project.paths, row.thumb_path))
        return real ? { path: real, contentType: contentTypeOf(real) } : null
      }
      case 'mask': {
        const m = /^([1-9][0-9]{0,14})\/([1-9][0-9]{0,8})$/.exec(rest)
        if (!m) return null
        const rel = project.masks.file(Number(m[1]), Number(m[2]))
        if (!rel) return null
        const real = realFileInside(project.root, fromRelPath(project.paths, rel))
        return real ? { path: real, contentType: 'image/png' } : null
      }
      case 'pred': {
        // pred/<runId>/<imageId>[/color]: a run's prediction, only ever from <project>/runs/<id>/predictions/.
        const m = /^([1-9][0-9]{0,14})\/([1-9][0-9]{0,14})(\/color)?$/.exec(rest)
        if (!m) return null
        const dir = path.join(project.paths.runs, m[1]!, 'predictions')
        const real = realFileInside(dir, path.join(dir, `${m[2]!}${m[3] ? '_color' : ''}.png`))
        // Also inside runs/ and the project itself, so a symlinked predictions/ or runs/ folder leads nowhere.
        const safe = real && realFileInside(project.paths.runs, real) && realFileInside(project.root, real)
        return safe ? { path: safe, contentType: 'image/png' } : null
      }
      case 'predv': {
        // predv/<runId>/<variant>/<imageId>[/color]: the variant is one of a fixed list, never a path.
        const m = /^([1-9][0-9]{0,14})\/([a-z-]{1,16})\/([1-9][0-9]{0,14})(\/color)?$/.exec(rest)
        if (!m || !isVariantKind(m[2]!)) return null
        const dir = path.join(project.paths.runs, m[1]!, 'variants', m[2]!, 'predictions')
        const real = realFileInside(dir, path.join(dir, `${m[3]!}${m[4] ? '_color' : ''}.png`))
        const safe = real && realFileInside(project.paths.runs, real) && realFileInside(project.root, real)
        return safe ? { path: safe, contentType: 'image/png' } : null
      }
      default:
        return null
    }
  } catch {
    // A closed or busy database: refuse rather than throw into a protocol handler.
    return null
  }
}
