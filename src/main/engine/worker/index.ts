/** Training in a worker thread (the main thread stays responsive). */
export {
  startTrainingWorker,
  resolveWorkerEntry,
  type TrainingResult,
  type TrainingWorkerHandle,
  type TrainingWorkerOptions,
} from './start-training-worker'
export type { FromWorker, ToWorker, TrainingWorkerData } from './messages'
export { spawnEngineWorker } from './spawn-engine-worker'
export { probeBackend, backendSummary, resolveForceAlias, type ProbeBackendOptions } from './probe-backend'
export {
  startAdaptationWorker,
  type AdaptationResult,
  type AdaptationWorkerHandle,
  type AdaptationWorkerOptions,
} from './start-adaptation-worker'
export type { AdaptWorkerData, AdaptPredictAlbum, FromAdaptWorker } from './adapt-messages'
