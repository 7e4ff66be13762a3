/**
 * Snapshot scores of album runs (snapshot_metrics: run, stage, iteration, part → FIoU, MIoU in both
 * conventions, images) and the snapshot each run uses (snapshot_choices: mode, why, which snapshot, the
 * parts the validation split was divided into). Values are fractions (0–1), stored as computed. One
 * evaluation (all its points, and the choice) is written in one transaction, replacing the earlier one.
 */
import type { SnapshotChoice, SnapshotPart, SnapshotPoint, SnapshotScore } from '../../shared/snapshots'
import { SNAPSHOT_PARTS } from '../../shared/snapshots'
import { SOURCE_CANDIDATE_STAGE } from '../../shared/adaptation-guard'
import { nowIso, parseJson, type Db } from './db'
import { InvalidInputError, NotFoundError } from './errors'

interface MetricRow {
  stage: string
  iteration: number
  part: SnapshotPart
  images: number
  fiou: number
  miou_all21: number
  miou_present: number | null
}

interface ChoiceRow {
  mode: SnapshotChoice['mode']
  mode_reason: string
  stage: string
  iteration: number
  chosen_on: SnapshotPart | null
  report_on: SnapshotPart
  oracle: number
  parts: string
  division: string
  evaluated_at: string
}

export type NewChoice = Omit<SnapshotChoice, 'evaluatedAt'>

/**
 * The source-model candidate (iteration 0 of an adaptation run) is stored at iteration 1: the tables
 * require iteration ≥ 1, and its stage name alone identifies it. Read back as 0.
 */
const STORED_SOURCE_ITERATION = 1

function toStored(stage: string, iteration: number): number {
  return stage === SOURCE_CANDIDATE_STAGE && iteration === 0 ? STORED_SOURCE_ITERATION : iteration
}

function fromStored(stage: string, iteration: number): number {
  return stage === SOURCE_CANDIDATE_STAGE ? 0 : iteration
}

function checkScore(runId: number, p: SnapshotPoint, part: SnapshotPart, s: SnapshotScore): void {
  const where = `run ${runId}, ${p.stage} snapshot ${p.iteration}, ${part} part`
  if (!Number.isFinite(s.fiou) || !Number.isFinite(s.miouAll21))
    throw new InvalidInputError(`${where}: scores must be finite (FIoU ${s.fiou}, MIoU ${s.miouAll21})`)
  if (s.miouPresent !== null && !Number.isFinite(s.miouPresent))
    throw new InvalidInputError(`${where}: MIoU (present classes) is ${s.miouPresent}`)
  if (!Number.isInteger(s.images) || s.images < 1) throw new InvalidInputError(`${where}: no scored image`)
}

export class SnapshotsRepo {
  constructor(private readonly db: Db) {}

  private checkRun(runId: number): void {
    if (!this.db.prepare('SELECT 1 FROM runs WHERE id = ?').get(runId))
      throw new NotFoundError(`run ${runId} does not exist`)
  }

  /**
   * Stores one evaluation of a run's snapshots (replacing every earlier point of the run) and, when given,
   * the choice made from them — in one transaction.
   */
  store(runId: number, points: readonly SnapshotPoint[], choice: NewChoice | null): void {
    this.db.transaction(() => {
      this.checkRun(runId)
      this.db.prepare('DELETE FROM snapshot_metrics WHERE run_id = ?').run(runId)
      const add = this.db.prepare(
        `INSERT INTO snapshot_metrics (run_id, stage, iteration, part, images, fiou, miou_all21, miou_present)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      for (const p of points) {
        for (const part of SNAPSHOT_PARTS) {
          const s = p.parts[part]
          if (!s) continue
          checkScore(runId, p, part, s)
          add.run(
            runId,
            p.stage,
            toStored(p.stage, p.iteration),
            part,
            s.images,
            s.fiou,
            s.miouAll21,
            s.miouPresent,
          )
        }
      }
      if (choice) this.setChoiceIn(runId, choice)
    })()
  }

  /** Records (or replaces) the snapshot a run uses. */
  setChoice(runId: number, choice: NewChoice): void {
    this.db.transaction(() => {
      this.checkRun(runId)
      this.setChoiceIn(runId, choice)
    })()
  }

  private setChoiceIn(runId: number, c: NewChoice): void {
    this.db
      .prepare(
        `INSERT OR REPLACE INTO snapshot_choices
           (run_id, mode, mode_reason, stage, iteration, chosen_on, report_on, oracle, parts, division, evaluated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        runId,
        c.mode,
        c.modeReason,
        c.stage,
        toStored(c.stage, c.iteration),
        c.chosenOn,
        c.reportOn,
        c.oracle ? 1 : 0,
        JSON.stringify(c.partImages),
        c.division,
        nowIso(),
      )
  }

  /** The run's evaluated snapshots, by iteration (the source model, iteration 0 of an adaptation run, first). */
  points(runId: number): SnapshotPoint[] {
    const rows = this.db
      .prepare(
        `SELECT stage, iteration, part, images, fiou, miou_all21, miou_present FROM snapshot_metrics
         WHERE run_id = ? ORDER BY stage = ? DESC, iteration, stage`,
      )
      .all(runId, SOURCE_CANDIDATE_STAGE) as MetricRow[]
    const out: SnapshotPoint[] = []
    for (const r of rows) {
      const iteration = fromStored(r.stage, r.iteration)
      let p = out[out.length - 1]
      if (!p || p.stage !== r.stage || p.iteration !== iteration) {
        p = { stage: r.stage, iteration, parts: {} }
        out.push(p)
      }
      p.parts[r.part] = {
        fiou: r.fiou,
        miouAll21: r.miou_all21,
        miouPresent: r.miou_present,
        images: r.images,
      }
    }
    return out
  }

  choice(runId: number): SnapshotChoice | null {
    const r = this.db.prepare('SELECT * FROM snapshot_choices WHERE run_id = ?').get(runId) as
      ChoiceRow | undefined
    if (!r) return null
    const parts = parseJson<{ selection?: unknown; report?: unknown }>(r.parts, {})
    const ids = (v: unknown): number[] =>
      Array.isArray(v) ? v.filter((x): x is number => Number.isInteger(x)) : []
    return {
      mode: r.mode,
      modeReason: r.mode_reason,
      stage: r.stage,
      iteration: fromStored(r.stage, r.iteration),
      chosenOn: r.chosen_on,
      reportOn: r.report_on,
      oracle: r.oracle === 1,
      partImages: { selection: ids(parts.selection), report: ids(parts.report) },
      division: r.division,
      evaluatedAt: r.evaluated_at,
    }
  }
}
