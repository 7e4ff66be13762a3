/** Tag-driven co-segmentation: mask proposals from image-level tags, per album cluster, in the engine worker. */
export { COSEG_DEFAULTS, CosegConfigSchema, cosegConfig, type CosegConfig, type CosegConfigInput } from './coseg-config'
export {
  CosegRequestSchema,
  CosegRequestError,
  parseCosegRequest,
  type CosegGroup,
  type CosegGroupResult,
  type CosegItem,
  type CosegOutcome,
  type CosegProgress,
  type CosegProposal,
  type CosegRequest,
  type CosegRequestInput,
  type PrototypeInfo,
} from './coseg-request'
export { startCosegWorker, type CosegWorkerOptions } from './start-coseg-worker'
