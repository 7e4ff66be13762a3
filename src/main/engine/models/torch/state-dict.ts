/**
 * A PyTorch state dict as the engine sees it: parameter and buffer names exactly as `model.state_dict()`
 * spells them (e.g. `backbone.0.0.weight`, `classifier.cbr.1.running_mean`), each with its PyTorch shape
 * (NCHW / OIHW order, not tfjs's) and its values. The `.pth` reader produces it; the torchvision
 * architectures consume it. Kept free of tfjs so the reader and the CLI can use it without loading tfjs.
 */
export type TorchDType =
  'float32' | 'float64' | 'float16' | 'bfloat16' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool'

export interface TorchTensor {
  dtype: TorchDType
  /** PyTorch order (row-major, contiguous after reading). */
  shape: number[]
  /** Floating tensors are converted to float32; integer ones (e.g. `num_batches_tracked`) to Float64Array. */
  data: Float32Array | Float64Array
}

export type StateDict = Map<string, TorchTensor>

/** Number of elements of a shape ([] is a scalar: 1). */
export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1)
}
