/**
 * An adaptation run of any method of the registry (../methods), then optional album predictions with the
 * final model. Like training, a killed thread still gives a result (status 'killed').
 */
import { parseAdaptConfig, type AdaptConfig } from '../methods/adapt-config'
import type { AdaptCheckpoint, AdaptProgress, AdaptStarted, AdaptStopped } from '../methods/adapt-loop'
import type { AdaptLossPoint } from '../methods/adapt-run-file'
import type { PseudoSummary } from '../methods/pseudo-labels'
import type { FileProblem } from '../runs/file-dataset'
import { defineSession } from './session'

/** An album to predict with the trained model right after the last step (the methods bench). */
export interface AdaptPredictAlbum {
  outDir: string
  images: { image: string; name: string; group?: number }[]
}

export interface AdaptRequest {
  config: AdaptConfig
  resume: boolean
  predict: { batch: number; albums: AdaptPredictAlbum[] } | null
}

export interface AdaptRequestInput {
  config: unknown
  resume?: boolean
  /** Albums to predict with the final model (after a run that finished). */
  predict?: { batch: number; albums: AdaptPredictAlbum[] } | null
}

export type AdaptEvent =
  | ({ type: 'started' } & AdaptStarted)
  | ({ type: 'progress' } & AdaptProgress)
  | ({ type: 'checkpoint' } & AdaptCheckpoint)
  | ({ type: 'pseudo' } & PseudoSummary)
  | { type: 'predicted'; outDir: string; images: number }
  | ({ type: 'problem' } & FileProblem)

export interface AdaptationResult {
  status: 'done' | 'cancelled' | 'killed'
  iteration: number
  losses: AdaptLossPoint[]
  /** The collapse detector ended the stage early (status 'done'). */
  stopped?: AdaptStopped
}

export const adaptSession = defineSession<AdaptRequestInput, AdaptRequest, AdaptEvent, AdaptationResult>({
  what: 'adaptation',
  parse: (raw) => ({
    config: parseAdaptConfig(raw.config),
    resume: raw.resume === true,
    predict: raw.predict ?? null,
  }),
  killed() {
    let iteration = 0
    const losses: AdaptLossPoint[] = []
    return {
      see(e) {
        if (e.type === 'started') iteration = e.fromIteration
        if (e.type === 'progress') {
          iteration = e.iteration
          losses.push({ iteration: e.iteration, loss: e.loss, terms: e.terms })
        }
      },
      result: () => ({ status: 'killed', iteration, losses }),
    }
  },
})
