/** The jobs table: rows ↔ JobRecord. */
import type { FileProblem, JobProgress, JobRecord, JobStatus } from '../../shared/domain'
import { nowIso, parseJson, type Db } from '../project/db'
import { NotFoundError } from '../project/errors'

interface JobRow {
  id: number
  kind: string
  title: string
  status: JobStatus
  args: string
  progress: string
  problems: string
  problem_count: number
  result: string | null
  error: string | null
  created_at: string
  started_at: string | null
  finished_at: string | null
}

export const EMPTY_PROGRESS: JobProgress = { done: 0, total: 0, rate: null, etaSeconds: null, message: '' }

function toRecord(r: JobRow): JobRecord {
  return {
    id: r.id,
    kind: r.kind,
    title: r.title,
    status: r.status,
    progress: { ...EMPTY_PROGRESS, ...parseJson<Partial<JobProgress>>(r.progress, {}) },
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    error: r.error,
    problems: parseJson<FileProblem[]>(r.problems, []),
    problemCount: r.problem_count,
    result: parseJson<unknown>(r.result, null),
  }
}

/** JSON text of a value, or null for undefined; values that cannot be serialised are named, not lost silently. */
function json(v: unknown): string | null {
  if (v === undefined) return null
  try {
    return JSON.stringify(v) ?? null
  } catch (e) {
    return JSON.stringify({ unserialisable: (e as Error).message })
  }
}

export class JobsRepo {
  constructor(private readonly db: Db) {}

  insert(kind: string, title: string, args: unknown): JobRecord {
    const id = Number(
      this.db
        .prepare(
          `INSERT INTO jobs (kind, title, status, args, progress, created_at) VALUES (?, ?, 'queued', ?, ?, ?)`,
        )
        .run(kind, title, json(args) ?? '{}', JSON.stringify(EMPTY_PROGRESS), nowIso()).lastInsertRowid,
    )
    return this.get(id)
  }

  find(id: number): JobRecord | null {
    const r = this.db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined
    return r ? toRecord(r) : null
  }

  get(id: number): JobRecord {
    const r = this.find(id)
    if (!r) throw new NotFoundError(`job ${id} does not exist`)
    return r
  }

  list(limit: number): JobRecord[] {
    return (this.db.prepare('SELECT * FROM jobs ORDER BY id DESC LIMIT ?').all(limit) as JobRow[]).map(
      toRecord,
    )
  }

  markRunning(id: number): void {
    this.db.prepare(`UPDATE jobs SET status = 'running', started_at = ? WHERE id = ?`).run(nowIso(), id)
  }

  writeProgress(id: number, progress: JobProgress, problems: FileProblem[], problemCount: number): void {
    this.db
      .prepare('UPDATE jobs SET progress = ?, problems = ?, problem_count = ? WHERE id = ?')
      .run(JSON.stringify(progress), JSON.stringify(problems), problemCount, id)
  }

  finish(id: number, status: 'done' | 'failed' | 'cancelled', result: unknown, error: string | null): void {
    this.db
      .prepare('UPDATE jobs SET status = ?, result = ?, error = ?, finished_at = ? WHERE id = ?')
      .run(status, json(result), error, nowIso(), id)
  }

  /**
   * Marks jobs a previous session left unfinished as failed; returns their ids. Jobs of the kinds in
   * `keepKinds` are left as they are (for a later session that can resume them).
   */
  failUnfinished(keepKinds: readonly string[] = []): number[] {
    // json_each: the kinds as one bound parameter, whatever their number.
    const notKept = `kind NOT IN (SELECT value FROM json_each(?))`
    const keep = JSON.stringify(keepKinds)
    return this.db.transaction(() => {
      const ids = (
        this.db
          .prepare(`SELECT id FROM jobs WHERE status IN ('queued', 'running') AND ${notKept} ORDER BY id`)
          .all(keep) as { id: number }[]
      ).map((r) => r.id)
      const now = nowIso()
      this.db
        .prepare(
          `UPDATE jobs SET status = 'failed', error = ?, finished_at = ? WHERE status = 'running' AND ${notKept}`,
        )
        .run('interrupted (the app closed while it ran)', now, keep)
      this.db
        .prepare(
          `UPDATE jobs SET status = 'failed', error = ?, finished_at = ? WHERE status = 'queued' AND ${notKept}`,
        )
        .run('interrupted (the app closed before it started)', now, keep)
      return ids
    })()
  }

  /** Jobs left queued or running by a session that ended (only meaningful while no session runs them). */
  unfinished(): JobRecord[] {
    return (
      this.db
        .prepare(`SELECT * FROM jobs WHERE status IN ('queued', 'running') ORDER BY id`)
        .all() as JobRow[]
    ).map(toRecord)
  }
}
