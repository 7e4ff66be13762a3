/**
 * Named parameters. Names follow Keras Applications / tensorflowjs_converter weight names
 * ("conv1_conv/kernel", "conv1_bn/gamma", "conv1_bn/moving_mean", …) so converted ImageNet weights load by
 * name. Parameters are created on the first forward pass (shapes follow from the input channels) and the
 * store is then sealed: asking for an unknown name afterwards is a bug, not a silent new weight.
 * Initial values come from the seeded Rng, so a config + seed fully determines the initial model.
 */
import * as tf from '@tensorflow/tfjs'
import type { Rng } from '../train/rng'

export type Init = 'he' | 'zeros' | 'ones'

interface Entry {
  v: tf.Variable
  trainable: boolean
}

export class ParamStore {
  private readonly entries = new Map<string, Entry>()
  private sealed = false

  constructor(private readonly rng: Rng) {}

  get(name: string, shape: number[], init: Init, trainable = true): tf.Variable {
    const e = this.entries.get(name)
    if (e) {
      if (e.v.shape.join() !== shape.join()) {
        throw new Error(`parameter '${name}' has shape [${e.v.shape}] but [${shape}] was asked for`)
      }
      return e.v
    }
    if (this.sealed) throw new Error(`parameter '${name}' does not exist (the model is already built)`)
    const values = this.initialValues(shape, init)
    // tf.tidy would not dispose a variable; the temporary tensor is released explicitly.
    const t = tf.tensor(values, shape, 'float32')
    const v = tf.variable(t, trainable)
    t.dispose()
    this.entries.set(name, { v, trainable })
    return v
  }

  private initialValues(shape: number[], init: Init): Float32Array {
    const n = shape.reduce((a, b) => a * b, 1)
    const out = new Float32Array(n)
    if (init === 'ones') out.fill(1)
    if (init === 'he') {
      // He normal, fan_out (torchvision's ResNet init): std = sqrt(2 / (kh·kw·outChannels)).
      const fanOut =
        shape.length === 4 ? (shape[0] as number) * (shape[1] as number) * (shape[3] as number) : n
      const std = Math.sqrt(2 / fanOut)
      for (let i = 0; i < n; i++) out[i] = this.rng.normal() * std
    }
    return out
  }

  seal(): void {
    this.sealed = true
  }

  get isSealed(): boolean {
    return this.sealed
  }

  names(): string[] {
    return [...this.entries.keys()]
  }

  variable(name: string): tf.Variable {
    const e = this.entries.get(name)
    if (!e) throw new Error(`parameter '${name}' does not exist`)
    return e.v
  }

  trainableVariables(): Record<string, tf.Variable> {
    const out: Record<string, tf.Variable> = {}
    for (const [k, e] of this.entries) if (e.trainable) out[k] = e.v
    return out
  }

  allVariables(): Record<string, tf.Variable> {
    const out: Record<string, tf.Variable> = {}
    for (const [k, e] of this.entries) out[k] = e.v
    return out
  }

  count(trainableOnly = true): number {
    let n = 0
    for (const e of this.entries.values()) if (!trainableOnly || e.trainable) n += e.v.size
    return n
  }

  dispose(): void {
    for (const e of this.entries.values()) e.v.dispose()
    this.entries.clear()
  }
}
