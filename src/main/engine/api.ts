/**
 * The engine's one door for the app and the CLI: everything `src/main/app` and `src/main/cli` use of the
 * engine is exported here, and nothing else of the engine may be imported from there (eslint layer rule).
 * This module must stay tfjs-free — it runs on the main thread (and the CLI's), which never loads tfjs
 * or its wasm; the sessions that need tfjs run in the engine worker (see sessions/registry.ts).
 * tests/unit/engine/api.test.ts loads it in a fresh Node process and fails if any `@tensorflow/*` module
 * got loaded.
 */

// Engine worker sessions (registry in sessions/registry.ts): the generic starter and the named ones.
export { startSession, type SessionJob, type SessionOptions } from './sessions/start-session'
export {
  SESSIONS,
  type SessionEvent,
  type SessionInput,
  type SessionName,
  type SessionResult,
} from './sessions/registry'
export { RequestError } from './sessions/request-error'
export {
  backendSummary,
  probeBackend,
  resolveForceAlias,
  startAdaptationWorker,
  startClusterWorker,
  startCosegWorker,
  startEmbedWorker,
  startInferenceWorker,
  startPthInferenceWorker,
  startTrainingWorker,
  type ProbeBackendOptions,
  type TrainingWorkerOptions,
} from './sessions/starters'
export type { TrainingResult } from './sessions/train'
export type { AdaptationResult, AdaptPredictAlbum } from './sessions/adapt'
export { engineWorkerSpawns } from './worker/spawn-engine-worker'

// Backend choice and the backend probe (the probe runs in the worker).
export {
  BACKEND_CHOICES,
  isBackendChoice,
  parseBackendChoice,
  type BackendChoice,
} from './backend/backend-choice'
export type { BackendReport } from './backend/select-backend'

// File datasets (types only: the loading happens in the worker).
export type { FileProblem, LabelledFile } from './runs/file-dataset'
export { latestCheckpoint, RUN_FILE as TRAIN_RUN_FILE } from './runs/checkpoint-files'
export { groupBatches } from './runs/group-order'

// Studio runs: the project chain, adaptation and SegSort steps, snapshots.
export {
  readLossCurve,
  scoreItems,
  withCancel,
  writeLossCurve,
  type ChainProgress,
  type ScoredItem,
  type ScoreItem,
} from './pipelines/project-run'
export type { MethodStep, ProjectRunOutcome, ProjectRunPlan, RunSelection } from './pipelines/run-plan'
export {
  adaptedStageMethods,
  finalStage,
  isAdaptiveMethod,
  needsGroups,
  type ProjectAdaptOptions,
} from './pipelines/project-adapt'
export { contextFor, type TargetItem } from './methods/adapt-config'
export { latestAdaptCheckpoint, readAdaptRunFile } from './methods/adapt-run-file'
export { MethodConfigError, parseMethodConfig } from './methods/registry'
export { listSnapshots } from './snapshots/list-snapshots'
export { selectSnapshot, SOURCE_ITERATION } from './snapshots/select-snapshot'
export { predictWithSnapshot, type StagePlan } from './snapshots/stage-evaluation'
export { sourceCheckpointIteration } from './snapshots/source-candidate'
export { chooseStageSnapshot, snapshotsRoot } from './snapshots/stage-choice'
export { divideValidation } from './snapshots/split-parts'
export type { UserMetrics } from './eval/user-metrics'

// SegSort.
export { bankDescription, segsortDirOf, type ProjectSegsortOptions } from './segsort/project-segsort'
export { EXPLAIN_DIR, readBank, readExplain, SegsortFileError } from './segsort/bank-files'

// Co-segmentation.
export { cosegConfig } from './coseg/coseg-config'
export type { CosegGroup, CosegGroupResult, CosegOutcome } from './coseg/coseg-request'
export {
  COSEG_ST_LR,
  COSEG_ST_STAGE,
  cosegStStageDir,
  type CosegSelfTrainingOptions,
} from './coseg/coseg-self-training'

// Clustering and the embedding map.
export type { ClusteringMeta, ClusterRequestInput } from './cluster/cluster-request'

// Inference (tfjs checkpoints and torchvision .pth), variants.
export { chunkBatches, type InferItem } from './infer/infer-request'
export type { InferOutcome } from './infer/infer-loop'
export { readTop2File, top2FileName, type Top2Map } from './infer/top2-file'
export { DEFAULT_TTA_SCALES, TtaOptionsSchema, type TtaOptions } from './infer/tta-options'
export { CRF_DEFAULTS, CrfParamsSchema, type CrfParams } from './postprocess/crf/crf-params'
export { runInferVariants, type InferVariant, type VariantResult } from './infer/infer-variants'
export type { PthInferOutcome } from './infer/pth/pth-infer-loop'
export { FORWARD_MAX_PIXELS } from './infer/pth/pth-infer-request'
export { readRunnablePth, RUNNABLE_TORCH_ARCHS } from './infer/pth/runnable-pth'
export { describeGeometry, type InferGeometry, type ResolvedGeometry } from './infer/geometry'
export { pisTestPlan, runTestContext, type PisTestPlan, type PisTestUser } from './infer/pis-test-plan'
export { auxlessNotice, importedModelRefusal, writePthSourceRun } from './methods/source-model'
export {
  readVariantRecord,
  swapInVariant,
  variantDir,
  VARIANT_PREDICTIONS,
  writeVariantRecord,
  type VariantRecord,
} from './variants/variant-file'

// PyTorch checkpoints (read and inspected on the main thread: a zip + a pickle subset, no tfjs).
export { ArchitectureError } from './models/torch/detect-architecture'
export { TORCH_ARCHS, type TorchArch } from './models/torch/architecture-specs'
export { inspectPth, sha256File, type PthInspection } from './models/torch/inspect-pth'
export { DEFAULT_MAX_PTH_BYTES, TorchCheckpointError } from './models/torch/read-pth'
export { CONTEXT_FUSIONS, CONTEXT_VARIANTS, type ContextFusion, type ContextVariant } from './models/config'

// Evaluation of label folders.
export { EvalInputError, evaluateLabelDirs, type LabelDirsReport } from './eval/label-dirs'
export type { Ceilings } from './eval/ceilings'

// Benchmarks (the CLI's `bench` and `demo`; training runs in the worker).
export {
  BENCH_METHODS,
  isBenchMethod,
  runMethodsBench,
  type AblationOptions,
  type AblationsResult,
  type BenchMethod,
  type MeanStd,
  type MethodsBenchResult,
  type MethodSummary,
  type PerClassSummary,
  type Summary,
} from './pipelines/methods'
export { DATA_SETTINGS, isDataSetting, type DataSetting } from './pipelines/ablations-data'
export {
  BENCH_ROWS,
  INFER_EXTRAS,
  isBenchRowName,
  isInferExtraName,
  parseBenchMethod,
  rowVariant,
  type BenchRow,
  type BenchRowName,
} from './pipelines/methods-rows'
export { ceilingsJson, type CeilingsJson } from './pipelines/methods-ceilings'
export { runNoda, type MethodScores, type NodaResult } from './pipelines/noda'
export { nodaReportHtml, nodaTable, type ReportThumb } from './pipelines/noda-report'
