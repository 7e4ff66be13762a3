/**
 * What the torchvision segmentation models here share besides their heads: a parameter store named by
 * the torchvision state-dict keys, loading a `.pth` state dict by those names, the pooled backbone
 * embedding used for clustering (of the subclass's last backbone stage), and disposal.
 */
import * as tf from '@tensorflow/tfjs'
import { Rng } from '../../train/rng'
import { ParamStore } from '../params'
import type { StateDict } from '../torch/state-dict'
import { loadTorchStateDict } from './load-state-dict'
import { TorchParams, type TorchLayout } from './torch-layers'

/** `numClasses` (default 21, VOC's) checked to fit a uint8 label map; `model` names the model in the error. */
export function checkedNumClasses(model: string, numClasses: number | undefined): number {
  const n = numClasses ?? 21
  if (!Number.isInteger(n) || n < 2 || n > 255) {
    throw new Error(`${model}: numClasses must be an integer in 2..255, got ${n}`)
  }
  return n
}

export abstract class TorchvisionModelBase {
  readonly params: ParamStore
  protected readonly tp: TorchParams

  /** `arch` is the torchvision builder name checked against a loaded state dict. */
  protected constructor(
    private readonly torchArch: string,
    seed: number,
  ) {
    this.params = new ParamStore(new Rng(seed))
    this.tp = new TorchParams(this.params)
  }

  /**
   * Creates every parameter with a small eval-mode forward pass, then seals the store. The subclass calls it
   * last in its constructor, once everything its forward pass reads is set.
   */
  protected createParams(forward: (x: tf.Tensor4D) => unknown): void {
    tf.tidy(() => {
      forward(tf.zeros([1, 64, 64, 3]))
    })
    this.params.seal()
  }

  /** Loads a torchvision state dict (strict: see loadTorchStateDict). `source` names the file in errors. */
  loadStateDict(sd: StateDict, source: string): void {
    loadTorchStateDict(this.tp, sd, source, this.torchArch)
  }

  /** The state-dict keys this model has, in creation order (= torchvision's state_dict() order). */
  stateDictKeys(): string[] {
    return this.tp.keys()
  }

  /** How the tfjs variable `key` is laid out relative to its PyTorch tensor (undefined: no such key). */
  torchLayout(key: string): TorchLayout | undefined {
    return this.tp.layout(key)
  }

  /** The backbone's last stage (MobileNetV3's 960-channel map, ResNet's layer4) in eval mode; inside a tidy. */
  protected abstract backboneOut(x: tf.Tensor4D): tf.Tensor4D

  /** The backbone's last-stage features, globally average-pooled (eval mode). */
  embed(x: tf.Tensor4D): tf.Tensor2D {
    return tf.tidy(() => this.backboneOut(x).mean([1, 2]) as tf.Tensor2D)
  }

  dispose(): void {
    this.params.dispose()
  }
}
