/** Tag-driven co-segmentation: mask proposals per album cluster (../coseg). */
import {
  parseCosegRequest,
  type CosegGroupResult,
  type CosegOutcome,
  type CosegProgress,
  type CosegRequest,
  type CosegRequestInput,
} from '../coseg/coseg-request'
import type { FileProblem } from '../runs/file-dataset'
import { defineSession } from './session'

export type CosegEvent =
  | ({ type: 'group' } & CosegGroupResult)
  | ({ type: 'progress' } & CosegProgress)
  | ({ type: 'problem' } & FileProblem)

export const cosegSession = defineSession<CosegRequestInput, CosegRequest, CosegEvent, CosegOutcome>({
  what: 'co-segmentation',
  parse: parseCosegRequest,
})
