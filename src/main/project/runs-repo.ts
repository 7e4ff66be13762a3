/**
 * Runs: one row per source-model training or album run, its folder <project>/runs/<id>/, and the exact
 * mask versions it was trained or evaluated on (run_masks). Status moves queued → running → done | failed
 * | cancelled; a run whose job ended without it (the app was closed or crashed while it ran) is settled
 * from its job's state by `reconcile`, so a run never stays "running" forever.
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type { RunKind, RunStatus } from '../../shared/runs'
import { runName } from '../../shared/run-names'
import { nowIso, parseJson, type Db } from './db'
import { ConflictError, InvalidInputError, NotFoundError } from './errors'
import type { ProjectPaths } from './layout'
import { maskContentFingerprint, maskVersionContent, storedMaskContent } from './mask-content'

export interface NewRun {
  kind: RunKind
  method: string
  albumId: number | null
  config: Record<string, unknown>
  seed: number | null
  backend: string | null
  codeVersion: string | null
  splitId: number | null
  jobId: number | null
}

export interface RunRow {
  id: number
  album_id: number | null
  album_name: string | null
  kind: RunKind
  method: string
  config: string
  status: RunStatus
  seed: number | null
  backend: string | null
  code_version: string | null
  split_id: number | null
  split_version: number | null
  job_id: number | null
  error: string | null
  created_at: string
  finished_at: string | null
}

export interface RunMask {
  imageId: number
  maskVersion: number
}

const SELECT_RUN = `
  SELECT r.*, a.name AS album_name, s.version AS split_version
  FROM runs r LEFT JOIN albums a ON a.id = r.album_id LEFT JOIN splits s ON s.id = r.split_id`

const FINAL: ReadonlySet<RunStatus> = new Set(['done', 'failed', 'cancelled'])

/** JSON with object keys sorted at every level: equal configs give equal text (the reuse key). */
export function canonicalJson(value: unknown): string {
  const norm = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(norm)
    if (v !== null && typeof v === 'object') {
      const o = v as Record<string, unknown>
      return Object.fromEntries(
        Object.keys(o)
          .sort()
          .filter((k) => o[k] !== undefined)
          .map((k) => [k, norm(o[k])]),
      )
    }
    return v
  }
  return JSON.stringify(norm(value))
}

/**
 * A short fingerprint of (image, mask version) pairs, independent of their order. It is the source
 * model's reuse key (a source set's masks are not re-read for it); comparability of scored runs follows
 * content instead (RunsRepo.maskSets).
 */
export function maskSetFingerprint(masks: readonly RunMask[]): string {
  const text = [...masks]
    .sort((a, b) => a.imageId - b.imageId)
    .map((m) => `${m.imageId}:${m.maskVersion}`)
    .join(',')
  return crypto.createHash('sha256').update(text).digest('hex').slice(0, 16)
}

export class RunsRepo {
  constructor(
    private readonly db: Db,
    private readonly paths: ProjectPaths,
  ) {}

  /** <project>/runs/<id> (the id is an integer from the database, never user text). */
  dir(id: number): string {
    if (!Number.isSafeInteger(id) || id < 1) throw new InvalidInputError(`run id ${id} is not valid`)
    return path.join(this.paths.runs, String(id))
  }

  create(r: NewRun): number {
    const info = this.db
      .prepare(
        `INSERT INTO runs (album_id, kind, method, config, status, seed, backend, code_version, split_id, job_id, created_at)
         VALUES (?, ?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        r.albumId,
        r.kind,
        r.method,
        canonicalJson(r.config),
        r.seed,
        r.backend,
        r.codeVersion,
        r.splitId,
        r.jobId,
        nowIso(),
      )
    return Number(info.lastInsertRowid)
  }

  row(id: number): RunRow {
    const r = this.db.prepare(`${SELECT_RUN} WHERE r.id = ?`).get(id) as RunRow | undefined
    if (!r) throw new NotFoundError(`run ${id} does not exist`)
    return r
  }

  /**
   * The name people read for the run ("No-DA #4", "Personalize #6 — OURS-S2", "Source model #2"): its
   * display number is the count of runs of its kind with an id ≤ its id, as the views count (run-names.ts).
   */
  displayName(id: number): string {
    const r = this.row(id)
    const n = (
      this.db.prepare('SELECT COUNT(*) AS n FROM runs WHERE kind = ? AND id <= ?').get(r.kind, id) as {
        n: number
      }
    ).n
    return runName({ id, kind: r.kind, method: r.method }, new Map([[id, n]]))
  }

  config(id: number): Record<string, unknown> {
    return parseJson<Record<string, unknown>>(this.row(id).config, {})
  }

  /** Album runs of one album, or every run (source runs included) when no album is given; newest first. */
  list(albumId?: number): RunRow[] {
    if (albumId === undefined) return this.db.prepare(`${SELECT_RUN} ORDER BY r.id DESC`).all() as RunRow[]
    return this.db.prepare(`${SELECT_RUN} WHERE r.album_id = ? ORDER BY r.id DESC`).all(albumId) as RunRow[]
  }

  setJob(id: number, jobId: number): void {
    this.update(id, 'UPDATE runs SET job_id = ? WHERE id = ?', jobId)
  }

  /** Replaces the config (e.g. once the job knows which source model the run uses). */
  setConfig(id: number, config: Record<string, unknown>): void {
    this.update(id, 'UPDATE runs SET config = ? WHERE id = ?', canonicalJson(config))
  }

  setBackend(id: number, backend: string): void {
    this.update(id, 'UPDATE runs SET backend = ? WHERE id = ?', backend)
  }

  setSplit(id: number, splitId: number): void {
    this.update(id, 'UPDATE runs SET split_id = ? WHERE id = ?', splitId)
  }

  markRunning(id: number): void {
    this.row(id)
    this.db.prepare("UPDATE runs SET status = 'running' WHERE id = ? AND status = 'queued'").run(id)
  }

  /** Ends a run; an already ended run keeps its first ending. */
  finish(id: number, status: 'done' | 'failed' | 'cancelled', error: string | null): void {
    const r = this.row(id)
    if (FINAL.has(r.status)) return
    this.db
      .prepare('UPDATE runs SET status = ?, error = ?, finished_at = ? WHERE id = ?')
      .run(status, error, nowIso(), id)
  }

  private update(id: number, sql: string, value: unknown): void {
    const info = value === undefined ? this.db.prepare(sql).run(id) : this.db.prepare(sql).run(value, id)
    if (info.changes === 0) this.row(id) // throws NOT_FOUND for a missing run; else the guard held
  }

  /**
   * Settles runs left queued/running by a job that has ended (the studio closed or crashed while it ran;
   * a queued job cancelled before it started). Returns how many it settled.
   */
  reconcile(): number {
    return this.settleOrphans().length
  }

  /** `reconcile`, returning the ids of the runs it settled (to tell the views). */
  settleOrphans(): number[] {
    const rows = this.db
      .prepare(
        `SELECT r.id, j.status AS job_status, j.error AS job_error FROM runs r LEFT JOIN jobs j ON j.id = r.job_id
         WHERE r.status IN ('queued', 'running')
           AND (j.id IS NULL OR j.status IN ('done', 'failed', 'cancelled'))`,
      )
      .all() as { id: number; job_status: string | null; job_error: string | null }[]
    if (rows.length === 0) return []
    const set = this.db.prepare('UPDATE runs SET status = ?, error = ?, finished_at = ? WHERE id = ?')
    this.db.transaction(() => {
      for (const r of rows) {
        if (r.job_status === 'cancelled') set.run('cancelled', null, nowIso(), r.id)
        else
          set.run(
            'failed',
            r.job_error ?? 'interrupted: the studio was closed while this run was in progress',
            nowIso(),
            r.id,
          )
      }
    })()
    return rows.map((r) => r.id)
  }

  /**
   * The newest finished source run trained with exactly this config whose folder still holds its model
   * (checkpoint.json), or null.
   */
  findReusableSource(config: Record<string, unknown>): RunRow | null {
    const rows = this.db
      .prepare(
        `${SELECT_RUN} WHERE r.kind = 'source' AND r.status = 'done' AND r.config = ? ORDER BY r.id DESC`,
      )
      .all(canonicalJson(config)) as RunRow[]
    return rows.find((r) => fs.existsSync(path.join(this.dir(r.id), 'checkpoint.json'))) ?? null
  }

  /**
   * The newest unfinished source run (interrupted, failed or cancelled) trained with exactly this config
   * whose folder holds its run.json, or null: its training can continue from its latest checkpoint.
   */
  findResumableSource(config: Record<string, unknown>): RunRow | null {
    const rows = this.db
      .prepare(
        `${SELECT_RUN} WHERE r.kind = 'source' AND r.status IN ('queued', 'running', 'failed', 'cancelled') AND r.config = ? ORDER BY r.id DESC`,
      )
      .all(canonicalJson(config)) as RunRow[]
    return rows.find((r) => fs.existsSync(path.join(this.dir(r.id), 'run.json'))) ?? null
  }

  /** Puts an unfinished run back to running under a new job (a resume); its first ending is forgotten. */
  reopen(id: number, jobId: number): void {
    this.row(id)
    this.db
      .prepare(
        "UPDATE runs SET status = 'running', error = NULL, finished_at = NULL, job_id = ? WHERE id = ? AND status != 'done'",
      )
      .run(jobId, id)
  }

  /** Records the exact mask versions a run used (replacing any earlier record of it). */
  setMasks(runId: number, masks: readonly RunMask[]): void {
    this.db.transaction(() => {
      this.row(runId)
      this.db.prepare('DELETE FROM run_masks WHERE run_id = ?').run(runId)
      const add = this.db.prepare('INSERT INTO run_masks (run_id, image_id, mask_version) VALUES (?, ?, ?)')
      for (const m of masks) add.run(runId, m.imageId, m.maskVersion)
    })()
  }

  masks(runId: number): RunMask[] {
    return (
      this.db
        .prepare('SELECT image_id, mask_version FROM run_masks WHERE run_id = ? ORDER BY image_id')
        .all(runId) as { image_id: number; mask_version: number }[]
    ).map((r) => ({ imageId: r.image_id, maskVersion: r.mask_version }))
  }

  /**
   * Mask-set fingerprints of these runs (runs without recorded masks are absent): of the masks' pixels,
   * not their version numbers (see mask-content.ts), so a restored identical mask keeps runs comparable.
   * Source runs (trained on a source dataset) keep the version fingerprint.
   */
  maskSets(runIds: readonly number[]): Map<number, { fingerprint: string; count: number }> {
    const out = new Map<number, { fingerprint: string; count: number }>()
    // one query per run for its masks' rows; the hashes come from mask-content's cache after the first read
    const rows = this.db.prepare(
      `SELECT rm.image_id, rm.mask_version, m.id, m.created_at, m.file FROM run_masks rm
       LEFT JOIN masks m ON m.image_id = rm.image_id AND m.version = rm.mask_version WHERE rm.run_id = ?`,
    )
    const kindOf = this.db.prepare('SELECT kind FROM runs WHERE id = ?')
    for (const id of runIds) {
      const m = rows.all(id) as {
        image_id: number
        mask_version: number
        id: number | null
        created_at: string | null
        file: string | null
      }[]
      if (m.length === 0) continue
      // A source run's masks are its training set (thousands of imported masks the editor never
      // touches): its fingerprint stays the version list, which decoding all of them would not change.
      if ((kindOf.get(id) as { kind: string } | undefined)?.kind === 'source') {
        out.set(id, {
          fingerprint: maskSetFingerprint(
            m.map((r) => ({ imageId: r.image_id, maskVersion: r.mask_version })),
          ),
          count: m.length,
        })
        continue
      }
      const contents = m.map((r) => ({
        imageId: r.image_id,
        content: storedMaskContent(this.db, this.paths, {
          imageId: r.image_id,
          version: r.mask_version,
          rowId: r.id,
          createdAt: r.created_at,
          file: r.file,
        }),
      }))
      out.set(id, { fingerprint: maskContentFingerprint(contents), count: m.length })
    }
    return out
  }

  /** The content fingerprint of (image, mask version) pairs. */
  contentFingerprint(masks: readonly RunMask[]): string {
    return maskContentFingerprint(
      masks.map((m) => ({
        imageId: m.imageId,
        content: maskVersionContent(this.db, this.paths, m.imageId, m.maskVersion),
      })),
    )
  }

  /**
   * Deletes a finished run: its row (with its metrics and mask record, by cascade) in one transaction,
   * then its folder. A queued or running run is refused: cancel its job first.
   */
  delete(id: number): void {
    this.db.transaction(() => {
      const r = this.row(id)
      if (!FINAL.has(r.status)) {
        throw new ConflictError(
          `run ${id} is ${r.status}; cancel its job${r.job_id !== null ? ` (#${r.job_id})` : ''} before deleting it`,
        )
      }
      this.db.prepare('DELETE FROM runs WHERE id = ?').run(id)
    })()
    fs.rmSync(this.dir(id), { recursive: true, force: true })
  }
}
