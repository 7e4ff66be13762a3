/**
 * The body of every engine session (../sessions/registry.ts), imported only by the worker entry: these are
 * the imports that load tfjs, so they must never be reached from the caller's side. The mapped type makes
 * a session without a body (or a body of the wrong request, events or result) a type error.
 *
 * Why static imports and not `import()` inside each session file: worker threads started from the
 * TypeScript sources (Vitest, tsx) only get tsx's CommonJS require hook; a dynamic import there goes to
 * Node's ESM loader, which cannot resolve the extensionless .ts paths. The worker pays for loading every
 * body once per thread; the main thread loads none (tests/unit/engine/api.test.ts).
 */
import { selectBackend } from '../backend/select-backend'
import { runClustering } from '../cluster/cluster-album'
import { runEmbedding } from '../cluster/embed-in-worker'
import { runCoseg } from '../coseg/coseg-loop'
import { runInference } from '../infer/infer-loop'
import { runPthInference } from '../infer/pth/pth-infer-loop'
import { runAdaptation } from '../methods/adapt-loop'
import { writeAlbumPredictions } from '../methods/predict-album'
import { runTraining } from '../runs/train-loop'
import { runSegsort } from '../segsort/segsort-run'
import type { SessionEvent, SessionName, SessionRequest, SessionResult } from '../sessions/registry'
import type { SessionBody, SessionContext } from '../sessions/session'
import { runSnapshotRequest } from '../snapshots/evaluate-snapshots'
import { runProjectPlan } from '../pipelines/run-plan'
import { inThreadHost, type SessionBodies } from './in-thread-host'

export const SESSION_BODIES: {
  [N in SessionName]: SessionBody<SessionRequest<N>, SessionEvent<N>, SessionResult<N>>
} = {
  train: ({ config, resume }, { shouldStop, emit }) =>
    runTraining(config, resume, {
      shouldStop,
      onStarted: (s) => emit({ type: 'started', ...s }),
      onProgress: (p) => emit({ type: 'progress', ...p }),
      onCheckpoint: (c) => emit({ type: 'checkpoint', ...c }),
      onProblem: (p) => emit({ type: 'problem', ...p }),
    }),

  adapt: ({ config, resume, predict }, { shouldStop, emit }) =>
    runAdaptation(config, resume, {
      shouldStop,
      onStarted: (s) => emit({ type: 'started', ...s }),
      onProgress: (p) => emit({ type: 'progress', ...p }),
      onCheckpoint: (c) => emit({ type: 'checkpoint', ...c }),
      onPseudo: (summary) => emit({ type: 'pseudo', ...summary }),
      onProblem: (p) => emit({ type: 'problem', ...p }),
      // Album predictions with the final model, before it is released (the methods bench; a studio run
      // predicts once, after choosing a snapshot: pipelines/run-plan.ts).
      afterTraining: async (model) => {
        for (const album of predict?.albums ?? []) {
          if (shouldStop()) return
          const n = await writeAlbumPredictions(
            model,
            album.images,
            config.size,
            predict!.batch,
            album.outDir,
            (p) => emit({ type: 'problem', ...p }),
          )
          emit({ type: 'predicted', outDir: album.outDir, images: n })
        }
      },
    }),

  infer: (request, { shouldStop, emit }) =>
    runInference(request, {
      shouldStop,
      onStarted: (s) => emit({ type: 'started', ...s }),
      onProgress: (p) => emit({ type: 'progress', ...p }),
      onProblem: (p) => emit({ type: 'problem', ...p }),
    }),

  'pth-infer': (request, { shouldStop, emit }) =>
    runPthInference(request, {
      shouldStop,
      onStarted: (s) => emit({ type: 'started', ...s }),
      onProgress: (p) => emit({ type: 'progress', ...p }),
      onProblem: (p) => emit({ type: 'problem', ...p }),
    }),

  cluster: (request, { shouldStop, emit }) =>
    runClustering(request, {
      shouldStop,
      onProgress: (p) => emit({ type: 'progress', ...p }),
      onProblem: (p) => emit({ type: 'problem', ...p }),
    }),

  embed: runEmbedding,

  snapshots: (request, { shouldStop, emit }) =>
    runSnapshotRequest(request, {
      shouldStop,
      onStarted: (s) => emit({ type: 'started', ...s }),
      onProgress: (p) => emit({ type: 'progress', ...p }),
      onEvaluated: (e) => emit({ type: 'evaluated', ...e }),
      onProblem: (p) => emit({ type: 'problem', ...p }),
    }),

  coseg: (request, { shouldStop, emit }) =>
    runCoseg(request, {
      shouldStop,
      // The PNG bytes are moved, not copied, to the caller's thread.
      onGroup: (g) =>
        emit(
          { type: 'group', ...g },
          g.proposals.map((p) => p.png.buffer as ArrayBuffer),
        ),
      onProgress: (p) => emit({ type: 'progress', ...p }),
      onProblem: (p) => emit({ type: 'problem', ...p }),
    }),

  segsort: (config, { shouldStop, emit }) =>
    runSegsort(config, {
      shouldStop,
      onStarted: (s) => emit({ type: 'started', ...s }),
      onProgress: (p) => emit({ type: 'progress', ...p }),
      onProblem: (p) => emit({ type: 'problem', ...p }),
    }),

  // env as in a run: a run's backend comes from its config, so the probe reports that choice.
  probe: ({ force }) => selectBackend({ force, env: process.env }),

  // A whole studio run in this one worker: every step is a session body called on this thread.
  run: (plan, ctx) => runPlanHere(plan, ctx),
}

/** The run session's body: the plan's steps through the in-thread host; a cancel reaches them as a signal. */
async function runPlanHere(
  plan: SessionRequest<'run'>,
  { shouldStop, emit }: SessionContext<SessionEvent<'run'>>,
): Promise<SessionResult<'run'>> {
  const stop = new AbortController()
  // The cancel message only flips shouldStop(); the pipelines listen to an AbortSignal.
  const poll = setInterval(() => {
    if (shouldStop()) stop.abort()
  }, 50)
  try {
    return await runProjectPlan(plan, inThreadHost(SESSION_BODIES as unknown as SessionBodies, shouldStop), {
      signal: stop.signal,
      onProgress: (p) => emit({ type: 'progress', ...p }),
      onProblem: (p) => emit({ type: 'problem', ...p }),
      onBackend: (name) => emit({ type: 'backend', name }),
      onSourceTrained: (r) => emit({ type: 'sourceTrained', ...r }),
    })
  } finally {
    clearInterval(poll)
  }
}
