/**
 * The methods benchmark as independent cells (one seed × one user × one table entry): a finished cell's
 * scores are cached on disk under a key that hashes its whole configuration and the engine's code, so an
 * interrupted bench resumes where it stopped; cells run `workers` at a time (one engine worker each).
 * The result of a cell never depends on how many run at once: every run is seeded by its own config.
 */
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { writeFileAtomic } from '../../files/atomic-file'
import { resolveWorkerEntry } from '../worker/spawn-engine-worker'
import type { RawScore } from './methods-stats'

/** Bumped when a cell's cached JSON changes shape. */
const CELL_FORMAT = 1

/** SHA-256 (hex) of a JSON value with its object keys sorted, so key order never changes a cache key. */
export function stableHash(v: unknown): string {
  const norm = (x: unknown): unknown =>
    Array.isArray(x)
      ? x.map(norm)
      : x !== null && typeof x === 'object'
        ? Object.fromEntries(
            Object.keys(x)
              .sort()
              .map((k) => [k, norm((x as Record<string, unknown>)[k])]),
          )
        : x
  return createHash('sha256')
    .update(JSON.stringify(norm(v)))
    .digest('hex')
}

function listTs(dir: string, out: string[]): void {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const f = path.join(dir, e.name)
    if (e.isDirectory()) listTs(f, out)
    else if (e.name.endsWith('.ts')) out.push(f)
  }
}

/**
 * The engine code the cells run: the hash of the built worker bundle, or — run from the sources (tsx,
 * Vitest) — of every engine .ts file. Any engine change makes earlier cached cells miss.
 */
export function engineCodeVersion(): string {
  const entry = resolveWorkerEntry().file
  const h = createHash('sha256')
  if (!entry.endsWith('.ts')) return h.update(fs.readFileSync(entry)).digest('hex').slice(0, 16)
  const files: string[] = []
  const engineDir = path.resolve(path.dirname(entry), '..')
  listTs(engineDir, files)
  for (const f of files.sort()) h.update(path.relative(engineDir, f)).update('\0').update(fs.readFileSync(f))
  return h.digest('hex').slice(0, 16)
}

export interface CellCache {
  dir: string
  /** Everything a cell's result depends on besides its own (seed, user, entry): config, data, code. */
  base: unknown
}

export function cellFile(c: CellCache, cell: unknown): string {
  return path.join(c.dir, `${stableHash({ format: CELL_FORMAT, base: c.base, cell })}.json`)
}

/** The cached scores of a cell, or null (absent, or unreadable: then it runs again). */
export function readCell(c: CellCache, cell: unknown): RawScore[] | null {
  const f = cellFile(c, cell)
  if (!fs.existsSync(f)) return null
  try {
    const j = JSON.parse(fs.readFileSync(f, 'utf8')) as { format?: number; scores?: RawScore[] }
    return j.format === CELL_FORMAT && Array.isArray(j.scores) ? j.scores : null
  } catch {
    return null
  }
}

export function writeCell(c: CellCache, cell: unknown, scores: RawScore[]): void {
  fs.mkdirSync(c.dir, { recursive: true })
  writeFileAtomic(cellFile(c, cell), JSON.stringify({ format: CELL_FORMAT, cell, scores }))
}

/**
 * Runs the tasks at most `limit` at a time, in order of the list; results in input order. The first
 * failure stops handing out tasks and is thrown once the running ones settle.
 */
export async function runPool<T>(tasks: readonly (() => Promise<T>)[], limit: number): Promise<T[]> {
  const out = new Array<T>(tasks.length)
  let next = 0
  let failed = false
  const worker = async (): Promise<void> => {
    while (!failed && next < tasks.length) {
      const i = next++
      try {
        out[i] = await tasks[i]!()
      } catch (e) {
        failed = true
        throw e
      }
    }
  }
  const settled = await Promise.allSettled(
    Array.from({ length: Math.max(1, Math.min(limit, tasks.length)) }, worker),
  )
  const bad = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected')
  if (bad) throw bad.reason
  return out
}
