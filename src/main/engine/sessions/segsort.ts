/** A SegSort run: embedding training, memory bank, clustering + k-NN predictions (../segsort). */
import type { FileProblem } from '../runs/file-dataset'
import { parseSegsortConfig, type SegsortConfig, type SegsortConfigInput } from '../segsort/segsort-config'
import type { SegsortOutcome, SegsortProgress, SegsortStarted } from '../segsort/segsort-run'
import { defineSession } from './session'

export type SegsortEvent =
  | ({ type: 'started' } & SegsortStarted)
  | ({ type: 'progress' } & SegsortProgress)
  | ({ type: 'problem' } & FileProblem)

export const segsortSession = defineSession<SegsortConfigInput, SegsortConfig, SegsortEvent, SegsortOutcome>({
  what: 'SegSort',
  parse: parseSegsortConfig,
})
