/** Training runs: config, seeded data order, checkpoints in a run folder, and the training loop. */
export * from './train-config'
export { batchSeed, shapesBatchAt } from './data-order'
export {
  saveCheckpoint,
  latestCheckpoint,
  restoreCheckpoint,
  checkResumable,
  removeUnfinishedCheckpoints,
  writeRunFile,
  readRunFile,
  recordRunStart,
  checkpointDirName,
  CheckpointError,
  type CheckpointState,
  type LossPoint,
  type RunFile,
  type RunStart,
} from './checkpoint'
export {
  runTraining,
  type TrainCheckpoint,
  type TrainHooks,
  type TrainOutcome,
  type TrainProgress,
  type TrainStarted,
} from './train-loop'
export {
  loadLabelledFiles,
  fileBatchAt,
  sampleIndices,
  FILE_AUGMENT,
  type LabelledFile,
  type FileProblem,
  type DecodedItem,
} from './file-dataset'
