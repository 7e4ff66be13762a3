/**
 * The names people read for runs (run lists, compare columns, grid filters, exported figures): what the
 * run did and its number, never the internal method id — "Personalize #6 — OURS-S2", "No-DA #4". The
 * source model a run trained on is "Source model": it is a step of album runs, not a result of its own.
 */
import { isRunMethod, type RunKind, type RunMethod } from './runs'

/** Short method names, as in the paper's tables (OURS-S2: stage 1 + stage 2 of the paper's method). */
export const METHOD_SHORT_NAMES: Record<RunMethod, string> = {
  noda: 'No-DA',
  pss: 'OURS-S2',
  advent: 'AdvEnt',
  minent: 'MinEnt',
  'bn-only': 'BN-only',
  adaptseg: 'AdaptSeg',
  maxsquare: 'MaxSquare',
  fda: 'FDA',
  mrnet: 'MRNet',
  segsort: 'SegSort',
  'coseg-st': 'Tag self-training',
}

export function methodShortName(method: string): string {
  return isRunMethod(method) ? METHOD_SHORT_NAMES[method] : method
}

/** "No-DA #4" (the source model predicts), "Personalize #6 — OURS-S2" (adapted to the album), "Source model". */
export function runName(r: { id: number; kind: RunKind; method: string }): string {
  if (r.kind === 'source') return 'Source model'
  if (r.method === 'noda') return `No-DA #${r.id}`
  return `Personalize #${r.id} — ${methodShortName(r.method)}`
}
