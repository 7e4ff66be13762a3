/**
 * The warning pill of a set of runs shown side by side: "different splits" only when their validation
 * splits really differ, "different mask versions" when they share the split but were scored on other
 * versions of its masks (masks edited in between), nothing when they are comparable.
 */
import type { RunSummary } from './runs'

export type ComparabilityRun = Pick<RunSummary, 'splitId' | 'maskSet'>

export function comparabilityLabel(
  runs: readonly ComparabilityRun[],
): { text: string; title: string } | null {
  const first = runs[0]
  if (!first) return null
  if (runs.some((r) => r.splitId !== first.splitId)) {
    return {
      text: 'different splits',
      title: 'Some of these runs were scored on another validation split: their scores are not comparable.',
    }
  }
  if (runs.some((r) => r.maskSet !== first.maskSet)) {
    return {
      text: 'different mask versions',
      title:
        'These runs share the split but were scored on other versions of its masks (edited in between): not comparable.',
    }
  }
  return null
}
