/**
 * Where an album run's plan executes: in this machine's engine (one `run` session) or, in farm mode, on a
 * farm worker (the same session, in another process, maybe on another machine). Either way the caller
 * gets the same events and the same outcome, and stores it the same way; in farm mode the run record
 * also says which worker ran it, on which attempt, and whether it resumed from a checkpoint.
 */
import {
  startSession,
  withCancel,
  type ProjectRunOutcome,
  type ProjectRunPlan,
  type SessionOptions,
} from '../../engine/api'
import type { Project } from '../../project/project'
import { FarmCancelled, type FarmClient } from './farm-client'
import { FARM_JOB_FORMAT, farmJobId } from './farm-job'
import { fromProjectPaths, toProjectPaths } from './plan-paths'

export type RunHandlers = Pick<
  SessionOptions<'run'>,
  'onProgress' | 'onProblem' | 'onBackend' | 'onSourceTrained'
>

/** What the run record keeps of a farm execution (no address credentials: describeRedis). */
export interface FarmRunRecord {
  farm: string
  job: string
  worker: string
  attempt: number
  resumed: boolean
}

/** How many times the farm tries a run whose worker failed (a stalled handover is not an attempt). */
export const FARM_ATTEMPTS = 3

export async function executeRunPlan(
  farm: FarmClient | null,
  project: Project,
  runId: number,
  plan: ProjectRunPlan,
  handlers: RunHandlers,
  signal: AbortSignal,
): Promise<{ outcome: ProjectRunOutcome; farm: FarmRunRecord | null }> {
  if (!farm) {
    const session = startSession('run', plan, handlers)
    return { outcome: await withCancel(signal, () => session.cancel(), session.result), farm: null }
  }
  const id = farmJobId(project.info(), runId)
  await farm.ready(10_000)
  const byEvent = handlers as Record<string, ((payload: never) => void) | undefined>
  try {
    const done = await farm.run(
      id,
      {
        format: FARM_JOB_FORMAT,
        projectDir: project.root,
        runId,
        session: 'run',
        request: toProjectPaths(plan, project.root, `run ${runId}`),
      },
      {
        attempts: FARM_ATTEMPTS,
        signal,
        onProgress: (p) => {
          const h = byEvent[`on${p.event.charAt(0).toUpperCase()}${p.event.slice(1)}`]
          h?.(p.payload as never)
        },
      },
    )
    return {
      // The worker sends paths as project paths; here they are this machine's again.
      outcome: fromProjectPaths(done.result, project.root, `run ${runId} outcome`) as ProjectRunOutcome,
      farm: { farm: farm.where, job: id, worker: done.worker, attempt: done.attempt, resumed: done.resumed },
    }
  } catch (e) {
    if (e instanceof FarmCancelled) return { outcome: cancelledOutcome(plan), farm: null }
    throw e
  }
}

function cancelledOutcome(plan: ProjectRunPlan): ProjectRunOutcome {
  return {
    status: 'cancelled',
    backend: plan.backend,
    losses: [],
    seconds: { source: null, adapt: null, predict: null, score: null },
    metrics: null,
    scored: [],
    stops: [],
    selection: null,
    predicted: 0,
  }
}
