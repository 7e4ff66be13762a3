/**
 * Paths inside a farm job. The studio and a worker may see the project folder at different places (a
 * network share mounted at different points), so a job never carries an absolute path: every path under
 * the project root becomes `{ $project: "relative/path" }`, and the worker turns those back into paths
 * under its own view of the root. A path that would leave the root — an absolute string anywhere in the
 * job, a `..` that climbs out, a link — is refused on both sides: a job can never make a worker read or
 * write outside the project.
 */
import fs from 'node:fs'
import path from 'node:path'

export class PlanPathError extends Error {}

export interface ProjectPath {
  $project: string
}

function isProjectPath(v: unknown): v is ProjectPath {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    Object.keys(v).length === 1 &&
    typeof (v as ProjectPath).$project === 'string'
  )
}

/** `rel` as a clean relative path inside the root, or an error naming where it points. */
function checkRelative(rel: string, where: string): string {
  if (rel === '' || path.isAbsolute(rel) || /^[a-zA-Z]:/.test(rel))
    throw new PlanPathError(`${where}: "${rel}" is not a path inside the project`)
  const norm = path.posix.normalize(rel.split(path.sep).join('/'))
  if (norm === '..' || norm.startsWith('../'))
    throw new PlanPathError(`${where}: "${rel}" leaves the project folder`)
  return norm
}

/**
 * Replaces every absolute path under `root` by `{ $project: rel }`; any other absolute path is an error
 * (the studio never sends a job that points outside the project).
 */
export function toProjectPaths(value: unknown, root: string, where = 'plan'): unknown {
  const base = path.resolve(root)
  if (typeof value === 'string') {
    if (!path.isAbsolute(value)) return value
    const rel = path.relative(base, path.resolve(value))
    if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel))
      throw new PlanPathError(`${where}: ${value} is outside the project folder ${base}`)
    return { $project: rel.split(path.sep).join('/') }
  }
  if (ArrayBuffer.isView(value)) return value // numbers only (a run's metrics)
  if (Array.isArray(value)) return value.map((v, i) => toProjectPaths(v, root, `${where}[${i}]`))
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) out[k] = toProjectPaths(v, root, `${where}.${k}`)
    return out
  }
  return value
}

/**
 * The worker's side: `{ $project: rel }` → an absolute path under `root` (whose real path, links
 * resolved, must stay under the root's real path where it exists); a bare absolute string is refused.
 */
export function fromProjectPaths(value: unknown, root: string, where = 'plan'): unknown {
  const base = path.resolve(root)
  if (isProjectPath(value)) {
    const rel = checkRelative(value.$project, where)
    const abs = path.join(base, rel)
    assertInside(abs, base, where)
    return abs
  }
  if (typeof value === 'string') {
    if (path.isAbsolute(value) || /^[a-zA-Z]:[\\/]/.test(value))
      throw new PlanPathError(
        `${where}: the job names an absolute path (${value}); a farm job carries project paths only`,
      )
    return value
  }
  if (ArrayBuffer.isView(value)) return value
  if (Array.isArray(value)) return value.map((v, i) => fromProjectPaths(v, root, `${where}[${i}]`))
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) out[k] = fromProjectPaths(v, root, `${where}.${k}`)
    return out
  }
  return value
}

/** The nearest existing ancestor of `abs`, resolved through links, must be inside the root's real path. */
function assertInside(abs: string, base: string, where: string): void {
  let realBase: string
  try {
    realBase = fs.realpathSync(base)
  } catch {
    return // the root itself is checked by the worker before it resolves any path
  }
  let probe = abs
  while (!fs.existsSync(probe)) {
    const up = path.dirname(probe)
    if (up === probe) return
    probe = up
  }
  const real = fs.realpathSync(probe)
  const rel = path.relative(realBase, real)
  if (rel.startsWith('..') || path.isAbsolute(rel))
    throw new PlanPathError(`${where}: ${abs} resolves to ${real}, outside the project folder`)
}
