/**
 * A training run (../runs): streams progress and checkpoints; stops before the next step when cancelled.
 * A killed thread still gives a result (status 'killed', the last iteration seen): the run folder keeps
 * its last complete checkpoint and `resume: true` continues from there.
 */
import type { LossPoint } from '../runs/checkpoint-files'
import type { FileProblem } from '../runs/file-dataset'
import { parseTrainConfig, type TrainConfig } from '../runs/train-config'
import type { TrainCheckpoint, TrainProgress, TrainStarted } from '../runs/train-loop'
import { defineSession } from './session'

export interface TrainRequest {
  config: TrainConfig
  /** Continue from the run folder's latest checkpoint instead of starting fresh. */
  resume: boolean
}

export type TrainEvent =
  | ({ type: 'started' } & TrainStarted)
  | ({ type: 'progress' } & TrainProgress)
  | ({ type: 'checkpoint' } & TrainCheckpoint)
  | ({ type: 'problem' } & FileProblem)

export interface TrainingResult {
  status: 'done' | 'cancelled' | 'killed'
  /** The last completed iteration. */
  iteration: number
  /** Losses of the iterations this run knows (a resumed run includes those before its checkpoint). */
  losses: LossPoint[]
}

export const trainSession = defineSession<
  { config: unknown; resume?: boolean },
  TrainRequest,
  TrainEvent,
  TrainingResult
>({
  what: 'training',
  parse: (raw) => ({ config: parseTrainConfig(raw.config), resume: raw.resume === true }),
  killed() {
    let iteration = 0
    const losses: LossPoint[] = []
    return {
      see(e) {
        if (e.type === 'started') iteration = e.fromIteration
        if (e.type === 'progress') {
          iteration = e.iteration
          losses.push({ iteration: e.iteration, loss: e.loss })
        }
      },
      result: () => ({ status: 'killed', iteration, losses }),
    }
  },
})
