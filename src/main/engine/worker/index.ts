/** Training in a worker thread (the main thread stays responsive). */
export {
  startTrainingWorker,
  resolveWorkerEntry,
  type TrainingResult,
  type TrainingWorkerHandle,
  type TrainingWorkerOptions,
} from './start-training-worker'
export type { FromWorker, ToWorker, TrainingWorkerData } from './messages'
export {
  enqueueTrainJob,
  trainJobFn,
  runDirFor,
  TRAIN_JOB_KIND,
  type TrainJobArgs,
  type TrainJobResult,
} from './train-job'
export { spawnEngineWorker } from './spawn-engine-worker'
export {
  probeBackend,
  backendSummary,
  resolveForceAlias,
  type ProbeBackendOptions,
} from './probe-backend'
