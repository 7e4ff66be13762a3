/** Colours of the embedding map and the grid badges: categorical for clusters, sequential for FIoU, diverging for gain. */

const CATEGORICAL = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
  '#1f77b4',
  '#aec7e8',
  '#ffbb78',
  '#98df8a',
  '#ff9896',
  '#c5b0d5',
  '#c49c94',
  '#f7b6d2',
  '#dbdb8d',
  '#9edae5',
]
export const NO_VALUE = '#5a5f6b'

export function clusterColor(cluster: number | null): string {
  if (cluster === null || cluster < 0) return NO_VALUE
  return CATEGORICAL[cluster % CATEGORICAL.length]!
}

function mix(a: readonly number[], b: readonly number[], t: number): string {
  const c = a.map((v, i) => Math.round(v + (b[i]! - v) * t))
  return `rgb(${c[0]},${c[1]},${c[2]})`
}

/** Red (0) → amber (0.5) → green (1); quantised to 20 steps so the map draws in few colour batches. */
export function fiouColor(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return NO_VALUE
  const t = Math.round(Math.min(1, Math.max(0, v)) * 20) / 20
  return t < 0.5
    ? mix([214, 48, 49], [240, 180, 40], t * 2)
    : mix([240, 180, 40], [46, 180, 100], (t - 0.5) * 2)
}

/** Gain in fractions, −`range` … +`range`: magenta (hurt) → grey → green (helped); 21 steps. */
export function gainColor(g: number | null, range = 0.2): string {
  if (g === null || !Number.isFinite(g)) return NO_VALUE
  const t = Math.round(Math.min(1, Math.max(-1, g / range)) * 10) / 10
  return t < 0 ? mix([150, 150, 160], [226, 52, 120], -t) : mix([150, 150, 160], [40, 200, 110], t)
}
