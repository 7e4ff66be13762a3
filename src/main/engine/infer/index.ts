/** Inference: predict albums with a trained run's checkpoint, in the engine worker. */
export {
  InferRequestSchema,
  InferRequestError,
  parseInferRequest,
  chunkBatches,
  type InferAlbum,
  type InferItem,
  type InferRequest,
  type InferRequestInput,
} from './infer-request'
export type { InferCost, InferOutcome, InferProgress, InferStarted } from './infer-loop'
export {
  DEFAULT_TTA_SCALES,
  PLAIN_PASS,
  TtaOptionsSchema,
  type TtaOptions,
  type TtaOptionsInput,
} from './tta-options'
export {
  startInferenceWorker,
  type InferenceWorkerHandle,
  type InferenceWorkerOptions,
} from './start-inference-worker'
