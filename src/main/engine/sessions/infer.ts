/** Inference with a trained run's checkpoint: album predictions, optional TTA / CRF / top-2 maps (../infer). */
import type { InferOutcome, InferProgress, InferStarted } from '../infer/infer-loop'
import { parseInferRequest, type InferRequest, type InferRequestInput } from '../infer/infer-request'
import type { FileProblem } from '../runs/file-dataset'
import { defineSession } from './session'

export type InferEvent =
  | ({ type: 'started' } & InferStarted)
  | ({ type: 'progress' } & InferProgress)
  | ({ type: 'problem' } & FileProblem)

export const inferSession = defineSession<InferRequestInput, InferRequest, InferEvent, InferOutcome>({
  what: 'inference',
  parse: parseInferRequest,
})
