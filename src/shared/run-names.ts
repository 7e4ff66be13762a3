/**
 * The names people read for runs (run lists, compare columns, grid filters, exported figures): what the
 * run did and its number, never the internal method id — "Personalize #6 — OURS-S2", "No-DA #4". The
 * source model a run trained on is "Source model #k": a step of album runs, not a result of its own, so it
 * is numbered apart and never makes the album runs' numbers skip.
 */
import { STUDIO_METHOD_NAMES, STUDIO_METHODS } from './methods'
import { isRunMethod, type RunKind, type RunMethod } from './runs'

/** Short method names, as in the paper's tables (OURS-S2: stage 1 + stage 2 of the paper's method). */
export const METHOD_SHORT_NAMES = Object.fromEntries(
  STUDIO_METHOD_NAMES.map((m) => [m, STUDIO_METHODS[m].short]),
) as Record<RunMethod, string>

export function methodShortName(method: string): string {
  return isRunMethod(method) ? METHOD_SHORT_NAMES[method] : method
}

/** A run's display number, keyed by run id (see runDisplayNumbers). */
export type RunNumbers = ReadonlyMap<number, number>

/**
 * Per-project display numbers. Run ids are shared by source-model runs and album runs, so the ids of the
 * runs a user sees skip (#1, #3, #6). Album runs (No-DA and the methods) are numbered 1, 2, 3… over the
 * project, source-model runs 1, 2… on their own: a run's number is the count of runs of its kind with an
 * id ≤ its id, so adding a later run never changes an earlier run's number. `runs` may be in any order.
 */
export function runDisplayNumbers(runs: readonly { id: number; kind: RunKind }[]): Map<number, number> {
  const numbers = new Map<number, number>()
  const counts: Record<RunKind, number> = { source: 0, album: 0 }
  for (const r of [...runs].sort((a, b) => a.id - b.id)) numbers.set(r.id, ++counts[r.kind])
  return numbers
}

/** "#4", the display number alone (a table cell whose column already names the method). */
export function runNumber(id: number, numbers: RunNumbers): string {
  const n = numbers.get(id)
  return n !== undefined ? `#${n}` : `(run id ${id})`
}

/**
 * "No-DA #4" (the source model predicts), "Personalize #6 — OURS-S2" (adapted to the album), "Source model
 * #2". The number comes from `numbers` (runDisplayNumbers over the project's runs); a run the list does not
 * know yet (a stale list) names its id instead of guessing a number.
 */
export function runName(r: { id: number; kind: RunKind; method: string }, numbers: RunNumbers): string {
  const num = runNumber(r.id, numbers)
  if (r.kind === 'source') return `Source model ${num}`
  if (r.method === 'noda') return `No-DA ${num}`
  return `Personalize ${num} — ${methodShortName(r.method)}`
}
