/**
 * Writes an album run's adaptation guard (shared/adaptation-guard.ts) into its config JSON: whether the run
 * kept its source model and why, and the stages the collapse detector stopped. A patch replaces only the
 * fields it names, so a re-evaluation of the snapshots keeps the stops the training recorded.
 */
import { readAdaptationGuard, type AdaptationGuard } from '../../shared/adaptation-guard'
import type { RunsRepo } from '../project/runs-repo'

export function recordAdaptationGuard(
  runs: RunsRepo,
  runId: number,
  patch: Partial<AdaptationGuard>,
): AdaptationGuard {
  const config = runs.config(runId)
  const guard: AdaptationGuard = {
    keptSource: false,
    notice: null,
    stops: [],
    ...readAdaptationGuard(config),
    ...patch,
  }
  runs.setConfig(runId, { ...config, adaptationGuard: guard })
  return guard
}
