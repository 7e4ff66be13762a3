/** Prediction with an imported torchvision `.pth` model, its own preprocessing (../infer/pth). */
import type { PthInferOutcome, PthInferProgress, PthInferStarted } from '../infer/pth/pth-infer-loop'
import {
  parsePthInferRequest,
  type PthInferRequest,
  type PthInferRequestInput,
} from '../infer/pth/pth-infer-request'
import type { FileProblem } from '../runs/file-dataset'
import { defineSession } from './session'

export type PthInferEvent =
  | ({ type: 'started' } & PthInferStarted)
  | ({ type: 'progress' } & PthInferProgress)
  | ({ type: 'problem' } & FileProblem)

export const pthInferSession = defineSession<
  PthInferRequestInput,
  PthInferRequest,
  PthInferEvent,
  PthInferOutcome
>({
  what: '.pth prediction',
  parse: parsePthInferRequest,
})
