/**
 * Optimisers with PyTorch's update rules (the paper's code is PyTorch, and the engine benchmark compares
 * against the same net in PyTorch), written as explicit tensor updates over named variables so their state
 * (momentum buffers, Adam moments, step count) can be checkpointed and restored by name.
 *
 * SGD (torch.optim.SGD, dampening 0, no Nesterov):  g ← ∇ + wd·w;  b ← μ·b + g;  w ← w − lr·b
 * Adam (torch.optim.Adam, L2 weight decay):         g ← ∇ + wd·w;  m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²;
 *                                                    w ← w − lr · (m / (1−β1ᵗ)) / (√(v / (1−β2ᵗ)) + ε)
 */
import * as tf from '@tensorflow/tfjs'

export type NamedGrads = Record<string, tf.Tensor>

export interface SgdOptions {
  momentum: number
  weightDecay: number
}

export interface AdamOptions {
  beta1: number
  beta2: number
  epsilon: number
  weightDecay: number
}

export interface OptimizerState {
  kind: 'sgd' | 'adam'
  step: number
  /** Slot tensors by "<variable name>/<slot>", e.g. "conv1/kernel/momentum". Owned by the caller. */
  slots: Record<string, tf.Tensor>
}

abstract class NamedOptimizer {
  protected step = 0
  protected readonly slots = new Map<string, tf.Variable>()

  protected slot(name: string, like: tf.Tensor): tf.Variable {
    let v = this.slots.get(name)
    if (!v) {
      const zeros = tf.zerosLike(like)
      v = tf.variable(zeros, false) // shares the data; the temporary handle is released below
      zeros.dispose()
      this.slots.set(name, v)
    }
    return v
  }

  get iterations(): number {
    return this.step
  }

  /** Applies one update with learning rate `lr` to every variable that has a gradient. */
  abstract apply(vars: Record<string, tf.Variable>, grads: NamedGrads, lr: number): void

  /** Copies of the slots (caller disposes) and the step count, for checkpoints. */
  getState(kind: 'sgd' | 'adam'): OptimizerState {
    const slots: Record<string, tf.Tensor> = {}
    for (const [k, v] of this.slots) slots[k] = v.clone()
    return { kind, step: this.step, slots }
  }

  setState(state: OptimizerState): void {
    this.dispose()
    this.step = state.step
    // A variable made from a tensor shares its data, so the caller may dispose `state.slots` afterwards.
    for (const [k, t] of Object.entries(state.slots)) this.slots.set(k, tf.variable(t, false))
  }

  dispose(): void {
    for (const v of this.slots.values()) v.dispose()
    this.slots.clear()
  }
}

export class SgdMomentum extends NamedOptimizer {
  constructor(readonly opts: SgdOptions) {
    super()
  }

  apply(vars: Record<string, tf.Variable>, grads: NamedGrads, lr: number): void {
    this.step++
    const { momentum, weightDecay } = this.opts
    for (const [name, g] of Object.entries(grads)) {
      const w = vars[name]
      if (!w) throw new Error(`SgdMomentum: gradient for unknown variable '${name}'`)
      const buf = momentum > 0 ? this.slot(`${name}/momentum`, w) : null
      tf.tidy(() => {
        const gd = weightDecay > 0 ? g.add(w.mul(weightDecay)) : g
        if (buf) {
          // PyTorch initialises the buffer with the first gradient (not μ·0 + g, which is the same thing).
          const b = buf.mul(momentum).add(gd)
          buf.assign(b)
          w.assign(w.sub(b.mul(lr)))
        } else {
          w.assign(w.sub(gd.mul(lr)))
        }
      })
    }
  }

  override getState(): OptimizerState {
    return super.getState('sgd')
  }
}

export class Adam extends NamedOptimizer {
  constructor(readonly opts: AdamOptions) {
    super()
  }

  apply(vars: Record<string, tf.Variable>, grads: NamedGrads, lr: number): void {
    this.step++
    const { beta1, beta2, epsilon, weightDecay } = this.opts
    const c1 = 1 - Math.pow(beta1, this.step)
    const c2 = 1 - Math.pow(beta2, this.step)
    for (const [name, g] of Object.entries(grads)) {
      const w = vars[name]
      if (!w) throw new Error(`Adam: gradient for unknown variable '${name}'`)
      const m = this.slot(`${name}/m`, w)
      const v = this.slot(`${name}/v`, w)
      tf.tidy(() => {
        const gd = weightDecay > 0 ? g.add(w.mul(weightDecay)) : g
        const m1 = m.mul(beta1).add(gd.mul(1 - beta1))
        const v1 = v.mul(beta2).add(gd.square().mul(1 - beta2))
        m.assign(m1)
        v.assign(v1)
        const update = m1.div(c1).div(v1.div(c2).sqrt().add(epsilon)).mul(lr)
        w.assign(w.sub(update))
      })
    }
  }

  override getState(): OptimizerState {
    return super.getState('adam')
  }
}
