/**
 * Which Vitest files train or run a model (tfjs in a worker, PyTorch goldens written by Python at test
 * time, child processes that train).
 * They are 90 % of `npm test`'s time, so the inner loop leaves them out:
 *   npm run test:fast      unit + dom without these files (store, media, server, CLI, renderer logic)
 *   npm run test:training  only these files
 * `npm test` and CI run everything. A new test that trains belongs in this list (its file name or folder).
 */
export const TRAINING_TESTS: readonly string[] = [
  'tests/unit/annotation/click-mask-map.test.ts',
  'tests/unit/annotation/kill-during-save.test.ts',
  'tests/unit/app/source-model-dialog-api.test.ts',
  'tests/unit/cli/model-command.test.ts',
  // Writes and reads 170–240 MB DeepLabV3-ResNet checkpoints.
  'tests/unit/cli/model-arch-option.test.ts',
  'tests/unit/coseg/coseg-train.test.ts',
  'tests/unit/coseg/studio-coseg.test.ts',
  'tests/unit/engine/atrous-depthwise.test.ts',
  'tests/unit/engine/conv-kernels.test.ts',
  'tests/unit/engine/primitives.test.ts',
  'tests/unit/engine/models.test.ts',
  'tests/unit/engine/frozen-batch-norm.test.ts',
  'tests/unit/engine/vgg16.test.ts',
  'tests/unit/engine/weights-io.test.ts',
  'tests/unit/engine/cluster/encoder-features.test.ts',
  'tests/unit/engine/group-context/**/*.test.ts',
  'tests/unit/engine/methods/**/*.test.ts',
  'tests/unit/pipelines/methods-cells.test.ts',
  'tests/unit/engine/postprocess/**/*.test.ts',
  'tests/unit/engine/torch/**/*.test.ts',
  'tests/unit/engine/torchvision/**/*.test.ts',
  'tests/unit/faults/interrupted-run.test.ts',
  'tests/unit/farm/farm-train.test.ts',
  'tests/unit/farm/farm-studio.test.ts',
  'tests/unit/infer/**/*.test.ts',
  'tests/unit/insight/**/*.test.ts',
  'tests/unit/project/source-models.test.ts',
  'tests/unit/runs/**/*.test.ts',
  'tests/unit/segsort/**/*.test.ts',
  'tests/unit/snapshots/studio-snapshots.test.ts',
  'tests/unit/training/**/*.test.ts',
  'tests/unit/variants/**/*.test.ts',
]
