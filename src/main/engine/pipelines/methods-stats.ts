/**
 * Summaries of bench scores: per seed the mean over users (the paper's "Mean" column), then mean ± sample
 * standard deviation over seeds; per user mean ± std over seeds. Percent units throughout.
 */
import type { UserMetrics } from '../eval/user-metrics'

export interface Scores {
  fiou: number
  miou_all21: number
  miou_present: number | null
}

export interface MeanStd {
  fiou: number
  miou_all21: number
  miou_present: number | null
  std: Scores
  seeds: number
}

export type Summary = MeanStd & { perUser: Record<string, MeanStd> }

/** One score of one entry (a table cell's sample): seed, entry key, user. */
export interface RawScore {
  seed: number
  method: string
  user: string
  scores: Scores
}

const pct = (v: number): number => v * 100

export function scoresOf(m: UserMetrics): Scores {
  return {
    fiou: pct(m.fiou),
    miou_all21: pct(m.miouAll21),
    miou_present: Number.isNaN(m.miouPresent) ? null : pct(m.miouPresent),
  }
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
  const presentList = list.map((s) => s.miou_present).filter((v): v is number => v !== null)
  const p = presentList.length ? meanStd(presentList) : null
  return {
    fiou: f.mean,
    miou_all21: a.mean,
    miou_present: p ? p.mean : null,
    std: { fiou: f.std, miou_all21: a.std, miou_present: p ? p.std : null },
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
    perSeed.push({ fiou: mean.fiou, miou_all21: mean.miou_all21, miou_present: mean.miou_present })
  }
  const perUser: Record<string, MeanStd> = {}
  for (const u of users) {
    const rows = mine.filter((r) => r.user === u)
    if (rows.length) perUser[u] = aggregate(rows.map((r) => r.scores))
  }
  return { ...aggregate(perSeed), perUser }
}
