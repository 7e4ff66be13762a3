/**
 * ADVENT's fully-convolutional discriminator: five 4×4 convs, stride 2, padding 1,
 * C→ndf→2ndf→4ndf→8ndf→1, LeakyReLU(0.2) after the first four, no normalisation. Input: an entropy map
 * (or softmax) [N,H,W,C]; output: per-patch domain logits [N,H/32,W/32,1].
 */
import * as tf from '@tensorflow/tfjs'
import { Rng } from '../train/rng'
import type { DiscriminatorConfig } from './config'
import { conv } from './layers'
import { ParamStore } from './params'

export class Discriminator {
  readonly params: ParamStore

  constructor(
    readonly config: DiscriminatorConfig,
    readonly inChannels: number,
    readonly name = 'd',
  ) {
    this.params = new ParamStore(new Rng(config.seed))
    tf.tidy(() => {
      this.forward(tf.zeros([1, 32, 32, inChannels]))
    })
    this.params.seal()
  }

  forward(x: tf.Tensor4D): tf.Tensor4D {
    const [, h, w] = x.shape
    if (h < 32 || w < 32) throw new Error(`Discriminator: input ${h}×${w} is smaller than 32×32`)
    const ndf = this.config.ndf
    const widths = [ndf, ndf * 2, ndf * 4, ndf * 8, 1]
    return tf.tidy(() => {
      let y = x
      widths.forEach((f, i) => {
        y = conv(this.params, `${this.name}_conv${i + 1}`, y, {
          filters: f,
          kernel: 4,
          stride: 2,
          pad: 1,
          bias: true,
        })
        if (i < widths.length - 1) y = tf.leakyRelu(y, this.config.leakySlope)
      })
      return y
    })
  }

  dispose(): void {
    this.params.dispose()
  }
}
