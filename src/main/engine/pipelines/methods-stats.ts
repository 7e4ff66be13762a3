/**
 * Summaries of bench scores: per seed the mean over users (the paper's "Mean" column), then mean ± sample
 * standard deviation over seeds; per user mean ± std over seeds. Percent units throughout. MIoU in three
 * conventions (docs/method.md §6): miou_paper (the paper's Tables 2/7: object classes in the GT, background
 * excluded), miou_all21 (the released code's printout) and miou_present (mmsegmentation); the two that
 * can be undefined (null) are averaged over the samples where they are defined.
 * Per-class IoU (paper Tables 7/8) is averaged the same way, as meanOverUsers (eval/user-metrics.ts) does:
 * per seed, `all21` = mean over users of the user's class IoU (a user without the class counts 0, the
 * released code's convention); `present` = mean over the users where the class is present (in GT or
 * prediction), null when it is present for none; `images` = validation images containing the class, summed
 * over users. Then mean ± std over seeds (`present`: over the seeds where it is defined).
 */
import { NUM_CLASSES, VOC_CLASSES } from '../../../shared/voc'
import type { UserMetrics } from '../eval/user-metrics'

export interface Scores {
  fiou: number
  miou_all21: number
  miou_present: number | null
  /** Null where the user's GT holds no object class. */
  miou_paper: number | null
}

export interface MeanStd {
  fiou: number
  miou_all21: number
  miou_present: number | null
  miou_paper: number | null
  std: Scores
  seeds: number
}

export type Summary = MeanStd & { perUser: Record<string, MeanStd> }

/** One user's per-class numbers (percent), in class order. */
export interface ClassScores {
  /** IoU per class, absent classes (in neither GT nor prediction) 0. */
  all21: number[]
  /** IoU per class, null where the class is absent. */
  present: (number | null)[]
  /** Validation images whose GT holds the class. */
  images: number[]
}

/** One score of one entry (a table cell's sample): seed, entry key, user. */
export interface RawScore {
  seed: number
  method: string
  user: string
  scores: Scores
  /** Per-class IoU and image counts (absent in results written before they were kept). */
  perClass?: ClassScores
  /** FIoU per validation image (percent), by image name: the paired statistics' samples. */
  images?: Record<string, number>
}

/** One class of a per-class table: mean ± std over seeds of the per-seed means over users. */
export interface ClassSummary {
  /** Validation images containing the class, summed over users (mean over seeds: the same each seed). */
  images: number
  all21: number
  all21Std: number
  /** null: the class is absent (GT and prediction) for every user in every seed. */
  present: number | null
  presentStd: number | null
}

/** Per-class IoU of one entry (paper Tables 7/8), keyed by class name in class order. */
export interface PerClassSummary {
  seeds: number
  /** Users averaged per seed (the most over the seeds). */
  users: number
  classes: Record<string, ClassSummary>
}

const pct = (v: number): number => v * 100

export function scoresOf(m: UserMetrics): Scores {
  return {
    fiou: pct(m.fiou),
    miou_all21: pct(m.miouAll21),
    miou_present: Number.isNaN(m.miouPresent) ? null : pct(m.miouPresent),
    miou_paper: Number.isNaN(m.miouPaper) ? null : pct(m.miouPaper),
  }
}

export function classScoresOf(m: UserMetrics): ClassScores {
  return {
    all21: Array.from(m.perClass, pct),
    present: Array.from(m.perClassPresent, (v) => (Number.isNaN(v) ? null : pct(v))),
    images: Array.from(m.perClassImages),
  }
}

/** The name of class `c`: the VOC name for the 21 VOC classes, `class <c>` otherwise. */
export function className(c: number, numClasses: number): string {
  return numClasses === NUM_CLASSES ? (VOC_CLASSES[c] ?? `class ${c}`) : `class ${c}`
}

/** The per-class summary of one entry over its raw scores; null when none of them has per-class numbers. */
export function summarizePerClass(
  raw: readonly RawScore[],
  key: string,
  seeds: readonly number[],
): PerClassSummary | null {
  const mine = raw.filter((r) => r.method === key && r.perClass !== undefined)
  const first = mine[0]?.perClass
  if (!first) return null
  const n = first.all21.length
  if (mine.some((r) => r.perClass!.all21.length !== n))
    throw new RangeError(`${key}: per-class scores with different class counts`)
  const perSeed: { all21: number[]; present: (number | null)[]; images: number[] }[] = []
  let users = 0
  for (const seed of seeds) {
    const rows = mine.filter((r) => r.seed === seed).map((r) => r.perClass!)
    if (rows.length === 0) continue
    users = Math.max(users, rows.length)
    const classes = Array.from({ length: n }, (_, c) => c)
    perSeed.push({
      all21: classes.map((c) => meanStd(rows.map((u) => u.all21[c]!)).mean),
      present: classes.map((c) => {
        const xs = rows.map((u) => u.present[c]).filter((v): v is number => v !== null && v !== undefined)
        return xs.length ? meanStd(xs).mean : null
      }),
      images: classes.map((c) => rows.reduce((sum, u) => sum + u.images[c]!, 0)),
    })
  }
  const classes: Record<string, ClassSummary> = {}
  for (let c = 0; c < n; c++) {
    const a = meanStd(perSeed.map((s) => s.all21[c]!))
    const ps = perSeed.map((s) => s.present[c]).filter((v): v is number => v !== null && v !== undefined)
    const p = ps.length ? meanStd(ps) : null
    classes[className(c, n)] = {
      images: meanStd(perSeed.map((s) => s.images[c]!)).mean,
      all21: a.mean,
      all21Std: a.std,
      present: p ? p.mean : null,
      presentStd: p ? p.std : null,
    }
  }
  return { seeds: perSeed.length, users, classes }
}

export function meanStd(xs: readonly number[]): { mean: number; std: number } {
  if (xs.length === 0) return { mean: NaN, std: NaN }
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length
  if (xs.length < 2) return { mean, std: 0 }
  const v = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1)
  return { mean, std: Math.sqrt(v) }
}

export function aggregate(list: readonly Scores[]): MeanStd {
  const f = meanStd(list.map((s) => s.fiou))
  const a = meanStd(list.map((s) => s.miou_all21))
  const defined = (xs: (number | null)[]): { mean: number; std: number } | null => {
    const ok = xs.filter((v): v is number => v !== null)
    return ok.length ? meanStd(ok) : null
  }
  const p = defined(list.map((s) => s.miou_present))
  const q = defined(list.map((s) => s.miou_paper))
  return {
    fiou: f.mean,
    miou_all21: a.mean,
    miou_present: p ? p.mean : null,
    miou_paper: q ? q.mean : null,
    std: { fiou: f.std, miou_all21: a.std, miou_present: p ? p.std : null, miou_paper: q ? q.std : null },
    seeds: list.length,
  }
}

/** The summary of one entry over its raw scores; null when it has none. */
export function summarize(
  raw: readonly RawScore[],
  key: string,
  seeds: readonly number[],
  users: readonly string[],
): Summary | null {
  const mine = raw.filter((r) => r.method === key)
  if (mine.length === 0) return null
  const perSeed: Scores[] = []
  for (const seed of seeds) {
    const rows = mine.filter((r) => r.seed === seed)
    if (rows.length === 0) continue
    const mean = aggregate(rows.map((r) => r.scores))
    perSeed.push({
      fiou: mean.fiou,
      miou_all21: mean.miou_all21,
      miou_present: mean.miou_present,
      miou_paper: mean.miou_paper,
    })
  }
  const perUser: Record<string, MeanStd> = {}
  for (const u of users) {
    const rows = mine.filter((r) => r.user === u)
    if (rows.length) perUser[u] = aggregate(rows.map((r) => r.scores))
  }
  return { ...aggregate(perSeed), perUser }
}
