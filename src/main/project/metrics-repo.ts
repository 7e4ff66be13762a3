/**
 * Metrics of runs, as rows of the `metrics` table (run, album, image, name, value). Values are fractions
 * (0–1) exactly as computed; nothing is rounded here. Names:
 *
 *   album level (album_id set, image_id NULL):
 *     images, fiou, miou_all21, miou_present (absent when undefined)
 *     class_iou:<c>          IoU of class c, released-code convention (absent classes 0)
 *     class_iou_present:<c>  IoU of class c, mmsegmentation convention (absent when undefined)
 *     class_images:<c>       scored images whose ground truth contains class c
 *     confusion_classes      the matrix side (21)
 *     confusion:<g>:<p>      pixels of GT class g predicted as p (non-zero cells only)
 *   image level (image_id set):  fiou
 *   run level (album_id and image_id NULL):  seconds:<phase>
 *
 * miou_paper (the paper's Tables 2/7: mean IoU over the object classes in the GT, background excluded)
 * is not a row: it is derived on read from class_iou:<c> and class_images:<c>, since a class has GT
 * pixels among the scored images exactly when some scored image's GT contains it. So runs scored
 * before it existed show it too.
 *
 * One evaluation (all of the above plus the run's mask versions in run_masks) is written in one
 * transaction, replacing any earlier evaluation of the run.
 */
import { VOC_CLASSES } from '../../shared/voc'
import { miouPaperFromClasses } from '../../shared/miou-paper'
import type { AlbumScores, ClassScore, RunDurations } from '../../shared/runs'
import type { Db } from './db'
import { InvalidInputError } from './errors'

export interface ScoredImage {
  imageId: number
  maskVersion: number
  /** FIoU of the image (0–1). */
  fiou: number
}

/** One album's evaluation (the engine's UserMetrics, keyed by image ids). */
export interface EvaluationInput {
  runId: number
  albumId: number
  images: readonly ScoredImage[]
  fiou: number
  miouAll21: number
  /** NaN when no class is present. */
  miouPresent: number
  perClass: ArrayLike<number>
  /** NaN for classes absent from GT and prediction. */
  perClassPresent: ArrayLike<number>
  perClassImages: ArrayLike<number>
  confusion: { numClasses: number; counts: ArrayLike<number> }
}

export interface ImageMetricRow {
  imageId: number
  name: string
  maskVersion: number
  fiou: number
}

/**
 * The paper's MIoU from an album's stored class_iou:<c> and class_images:<c> rows (shared/miou-paper.ts).
 * The same number as the engine's miouPaper on the confusion matrix (tests/unit/runs/repos.test.ts).
 */
function paperMiou(m: Map<string, number>): number | null {
  let n = 0
  for (const name of m.keys()) {
    const k = /^class_images:(\d+)$/.exec(name)
    if (k) n = Math.max(n, Number(k[1]) + 1)
  }
  const iou = Array.from({ length: n }, (_, c) => m.get(`class_iou:${c}`) ?? 0)
  const images = Array.from({ length: n }, (_, c) => m.get(`class_images:${c}`) ?? 0)
  return miouPaperFromClasses(iou, images)
}

const DURATION_KEYS = ['source', 'adapt', 'predict', 'score', 'total'] as const

function finite(v: number, what: string): number {
  if (!Number.isFinite(v))
    throw new InvalidInputError(`metric ${what} is ${v}; only finite values are stored`)
  return v
}

export class MetricsRepo {
  constructor(private readonly db: Db) {}

  /** Stores one evaluation (replacing an earlier one of the same run) in one transaction. */
  storeEvaluation(e: EvaluationInput): void {
    const n = e.confusion.numClasses
    if (e.perClass.length !== n || e.perClassPresent.length !== n || e.perClassImages.length !== n)
      throw new InvalidInputError(`per-class arrays of run ${e.runId} do not have ${n} entries`)
    if (e.confusion.counts.length !== n * n)
      throw new InvalidInputError(`the confusion matrix of run ${e.runId} is not ${n}×${n}`)
    if (e.images.length === 0) throw new InvalidInputError(`run ${e.runId}: no scored image to store`)
    this.db.transaction(() => {
      this.db
        .prepare('DELETE FROM metrics WHERE run_id = ? AND (album_id IS NOT NULL OR image_id IS NOT NULL)')
        .run(e.runId)
      this.db.prepare('DELETE FROM run_masks WHERE run_id = ?').run(e.runId)
      const album = this.db.prepare(
        'INSERT INTO metrics (run_id, album_id, image_id, name, value) VALUES (?, ?, NULL, ?, ?)',
      )
      const image = this.db.prepare(
        'INSERT INTO metrics (run_id, album_id, image_id, name, value) VALUES (?, ?, ?, ?, ?)',
      )
      const mask = this.db.prepare('INSERT INTO run_masks (run_id, image_id, mask_version) VALUES (?, ?, ?)')
      album.run(e.runId, e.albumId, 'images', e.images.length)
      album.run(e.runId, e.albumId, 'fiou', finite(e.fiou, 'fiou'))
      album.run(e.runId, e.albumId, 'miou_all21', finite(e.miouAll21, 'miou_all21'))
      if (!Number.isNaN(e.miouPresent))
        album.run(e.runId, e.albumId, 'miou_present', finite(e.miouPresent, 'miou_present'))
      for (let c = 0; c < n; c++) {
        album.run(e.runId, e.albumId, `class_iou:${c}`, finite(e.perClass[c]!, `class_iou:${c}`))
        const p = e.perClassPresent[c]!
        if (!Number.isNaN(p))
          album.run(e.runId, e.albumId, `class_iou_present:${c}`, finite(p, `class_iou_present:${c}`))
        album.run(e.runId, e.albumId, `class_images:${c}`, e.perClassImages[c]!)
      }
      album.run(e.runId, e.albumId, 'confusion_classes', n)
      for (let g = 0; g < n; g++)
        for (let p = 0; p < n; p++) {
          const v = e.confusion.counts[g * n + p]!
          if (v !== 0) album.run(e.runId, e.albumId, `confusion:${g}:${p}`, v)
        }
      for (const s of e.images) {
        image.run(e.runId, e.albumId, s.imageId, 'fiou', finite(s.fiou, `fiou of image ${s.imageId}`))
        mask.run(e.runId, s.imageId, s.maskVersion)
      }
    })()
  }

  /** Seconds per phase of the chain (replacing earlier ones). */
  storeDurations(runId: number, d: Partial<RunDurations>): void {
    this.db.transaction(() => {
      for (const k of DURATION_KEYS) {
        const v = d[k]
        if (v === undefined || v === null) continue
        this.db
          .prepare(
            'DELETE FROM metrics WHERE run_id = ? AND album_id IS NULL AND image_id IS NULL AND name = ?',
          )
          .run(runId, `seconds:${k}`)
        this.db
          .prepare(
            'INSERT INTO metrics (run_id, album_id, image_id, name, value) VALUES (?, NULL, NULL, ?, ?)',
          )
          .run(runId, `seconds:${k}`, finite(v, `seconds:${k}`))
      }
    })()
  }

  durations(runId: number): RunDurations {
    const rows = this.db
      .prepare(
        "SELECT name, value FROM metrics WHERE run_id = ? AND album_id IS NULL AND image_id IS NULL AND name LIKE 'seconds:%'",
      )
      .all(runId) as { name: string; value: number }[]
    const out: RunDurations = { source: null, adapt: null, predict: null, score: null, total: null }
    for (const r of rows) {
      const k = r.name.slice('seconds:'.length) as (typeof DURATION_KEYS)[number]
      if ((DURATION_KEYS as readonly string[]).includes(k)) out[k] = r.value
    }
    return out
  }

  private albumRows(runId: number): Map<string, number> {
    const rows = this.db
      .prepare(
        'SELECT name, value FROM metrics WHERE run_id = ? AND album_id IS NOT NULL AND image_id IS NULL',
      )
      .all(runId) as { name: string; value: number }[]
    return new Map(rows.map((r) => [r.name, r.value]))
  }

  /** The per-album summary, or null when the run was not scored. */
  summary(runId: number): AlbumScores | null {
    return this.toSummary(this.albumRows(runId))
  }

  /** Summaries of many runs in one query (list views). */
  summaries(runIds: readonly number[]): Map<number, AlbumScores> {
    const out = new Map<number, AlbumScores>()
    if (runIds.length === 0) return out
    const rows = this.db
      .prepare(
        `SELECT run_id, name, value FROM metrics
         WHERE run_id IN (SELECT value FROM json_each(?)) AND album_id IS NOT NULL AND image_id IS NULL
           AND (name IN ('images', 'fiou', 'miou_all21', 'miou_present')
                OR name LIKE 'class_iou:%' OR name LIKE 'class_images:%')`,
      )
      .all(JSON.stringify(runIds)) as { run_id: number; name: string; value: number }[]
    const byRun = new Map<number, Map<string, number>>()
    for (const r of rows) {
      let m = byRun.get(r.run_id)
      if (!m) byRun.set(r.run_id, (m = new Map()))
      m.set(r.name, r.value)
    }
    for (const [id, m] of byRun) {
      const s = this.toSummary(m)
      if (s) out.set(id, s)
    }
    return out
  }

  private toSummary(m: Map<string, number>): AlbumScores | null {
    const images = m.get('images')
    const fiou = m.get('fiou')
    const miouAll21 = m.get('miou_all21')
    if (images === undefined || fiou === undefined || miouAll21 === undefined) return null
    return { images, fiou, miouAll21, miouPresent: m.get('miou_present') ?? null, miouPaper: paperMiou(m) }
  }

  /** The per-class table (empty when the run was not scored). */
  perClass(runId: number): ClassScore[] {
    const m = this.albumRows(runId)
    const n = m.get('confusion_classes')
    if (n === undefined) return []
    const out: ClassScore[] = []
    for (let c = 0; c < n; c++) {
      out.push({
        classId: c,
        name: VOC_CLASSES[c] ?? `class ${c}`,
        iou: m.get(`class_iou:${c}`) ?? 0,
        iouPresent: m.get(`class_iou_present:${c}`) ?? null,
        images: m.get(`class_images:${c}`) ?? 0,
      })
    }
    return out
  }

  /** The confusion matrix (rows = GT, columns = prediction), or null when the run was not scored. */
  confusion(runId: number): number[][] | null {
    const m = this.albumRows(runId)
    const n = m.get('confusion_classes')
    if (n === undefined) return null
    const out = Array.from({ length: n }, () => new Array<number>(n).fill(0))
    for (const [name, v] of m) {
      const c = /^confusion:(\d+):(\d+)$/.exec(name)
      if (c) out[Number(c[1])]![Number(c[2])] = v
    }
    return out
  }

  /** Per-image FIoU with the mask version it was scored against, in image-name order. */
  images(runId: number): ImageMetricRow[] {
    return (
      this.db
        .prepare(
          `SELECT m.image_id, i.name, rm.mask_version, m.value FROM metrics m
           JOIN images i ON i.id = m.image_id
           JOIN run_masks rm ON rm.run_id = m.run_id AND rm.image_id = m.image_id
           WHERE m.run_id = ? AND m.name = 'fiou' ORDER BY i.name COLLATE NOCASE, i.id`,
        )
        .all(runId) as { image_id: number; name: string; mask_version: number; value: number }[]
    ).map((r) => ({ imageId: r.image_id, name: r.name, maskVersion: r.mask_version, fiou: r.value }))
  }
}
