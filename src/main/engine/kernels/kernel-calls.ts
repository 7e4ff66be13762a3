/**
 * Calling a backend's own kernels from inside another kernel.
 *
 * A kernel function must not run tf ops (they would be recorded on the gradient tape and counted by the
 * engine), so composite kernels call the registered kernel functions of the same backend directly, the way
 * tfjs-backend-wasm's own SpaceToBatchND does. Every intermediate is a backend data id with a reference
 * count; `KernelCalls` remembers each one and releases it exactly once, so a composite kernel leaks nothing
 * (reshape-style kernels return the input's data id with its count raised, which the same rule balances).
 */
import * as tf from '@tensorflow/tfjs'

export type TensorInfo = tf.TensorInfo
type AttrValue = tf.NamedAttrMap[string]

export class KernelCalls {
  private readonly temps: TensorInfo[] = []

  constructor(
    readonly backend: tf.KernelBackend,
    readonly backendName: string,
  ) {}

  /** Runs the backend's kernel `name` and tracks the output as a temporary. */
  run(name: string, inputs: Record<string, TensorInfo>, attrs: Record<string, AttrValue>): TensorInfo {
    const config = tf.getKernel(name, this.backendName)
    if (config === undefined) {
      throw new Error(`Kernel '${name}' is not registered for backend '${this.backendName}'`)
    }
    const out = config.kernelFunc({
      inputs: inputs as tf.NamedTensorInfoMap,
      backend: this.backend,
      attrs: attrs as tf.NamedAttrMap,
    })
    if (Array.isArray(out)) {
      throw new Error(`Kernel '${name}' returned ${out.length} outputs; one was expected`)
    }
    this.temps.push(out)
    return out
  }

  /** Marks `t` as the result: it will not be released by `release()`. */
  keep(t: TensorInfo): TensorInfo {
    const i = this.temps.lastIndexOf(t)
    if (i < 0) throw new Error('keep(): tensor was not produced by this KernelCalls')
    this.temps.splice(i, 1)
    return t
  }

  /** Releases every temporary not kept. Call in `finally`. */
  release(): void {
    for (const t of this.temps) this.backend.disposeData(t.dataId)
    this.temps.length = 0
  }

  /** Uploads host values as a new tracked tensor. */
  constant(values: Float32Array, shape: number[]): TensorInfo {
    const dataId = this.backend.write(values, shape, 'float32')
    const t: TensorInfo = { dataId, shape, dtype: 'float32' }
    this.temps.push(t)
    return t
  }

  /** Reads a float32 tensor's values synchronously (cpu and wasm are synchronous backends). */
  read(x: TensorInfo): Float32Array {
    const v = this.backend.readSync(x.dataId)
    if (!(v instanceof Float32Array)) throw new Error(`expected float32 data, got ${x.dtype}`)
    return v
  }

  transpose(x: TensorInfo, perm: number[]): TensorInfo {
    return this.run('Transpose', { x }, { perm })
  }

  reshape(x: TensorInfo, shape: number[]): TensorInfo {
    return this.run('Reshape', { x }, { shape })
  }

  pad(x: TensorInfo, paddings: Array<[number, number]>): TensorInfo {
    return this.run('PadV2', { x }, { paddings, constantValue: 0 })
  }

  slice(x: TensorInfo, begin: number[], size: number[]): TensorInfo {
    return this.run('Slice', { x }, { begin, size })
  }

  /** NHWC forward convolution with explicit padding [[0,0],[t,b],[l,r],[0,0]]. */
  conv2d(
    x: TensorInfo,
    filter: TensorInfo,
    strides: [number, number],
    dilations: [number, number],
    pad: { top: number; bottom: number; left: number; right: number },
  ): TensorInfo {
    const explicit = [
      [0, 0],
      [pad.top, pad.bottom],
      [pad.left, pad.right],
      [0, 0],
    ]
    return this.run('Conv2D', { x, filter }, { strides, dilations, pad: explicit, dataFormat: 'NHWC' })
  }

  matMul(a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean): TensorInfo {
    return this.run('BatchMatMul', { a, b }, { transposeA, transposeB })
  }
}

/** Runs `body` with a fresh KernelCalls; whatever `body` returns is kept, everything else released. */
export function withKernelCalls(
  backend: tf.KernelBackend,
  backendName: string,
  body: (k: KernelCalls) => TensorInfo,
): TensorInfo {
  const k = new KernelCalls(backend, backendName)
  try {
    return k.keep(body(k))
  } finally {
    k.release()
  }
}
