/**
 * Shared machinery of the torchvision equality tests: running make_torchvision_golden.py, loading its state
 * dict into a model, and one training step compared with PyTorch's float64 reference.
 */
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { crossEntropyIgnore } from '../../../../src/main/engine/losses'
import { resizeBilinearTorch } from '../../../../src/main/engine/ops/resize-bilinear'
import { torchToTfjsValues } from '../../../../src/main/engine/models/torchvision/load-state-dict'
import type { TorchLayout } from '../../../../src/main/engine/models/torchvision/torch-layers'
import type { SegmentationModel } from '../../../../src/main/engine/models/segnet'
import type { StateDict } from '../../../../src/main/engine/models/torch/state-dict'
import { namedGrads } from '../../../../src/main/engine/train/steps'
import { asStateDict, nchwToNhwc, readTensorFile, relMaxDiff, type RawTensor } from './torch-tensors'

const PYTHON = '/usr/bin/python3'
const SCRIPT = path.join(__dirname, 'make_torchvision_golden.py')

export interface Goldens {
  dir: string
  state: Map<string, RawTensor>
  golden: Map<string, RawTensor>
}

export interface TorchvisionModel extends SegmentationModel {
  loadStateDict(sd: StateDict, source: string): void
  stateDictKeys(): string[]
  torchLayout(key: string): TorchLayout | undefined
}

export class GoldenRunner {
  skipReason = ''
  private readonly dirs: string[] = []

  /**
   * Runs the golden script; null (skip) only when Debian's torch/torchvision are not installed. `evalOnly`:
   * no training-step entries (for a model whose training path another test already covers).
   */
  make(arch: string, h: number, w: number, o: { evalOnly?: boolean } = {}): Goldens | null {
    if (this.skipReason) return null
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `pss-${arch}-`))
    this.dirs.push(dir)
    const args = [SCRIPT, arch, dir, String(h), String(w), ...(o.evalOnly ? ['eval-only'] : [])]
    const r = spawnSync(PYTHON, args, { encoding: 'utf8' })
    if (r.error || r.status !== 0) {
      const msg = r.error ? String(r.error) : r.stderr
      if (/ENOENT|ModuleNotFoundError|No module named/.test(msg)) {
        this.skipReason = `${PYTHON} with torch + torchvision is not available: ${msg.trim().split('\n').pop()}`
        return null
      }
      throw new Error(`${SCRIPT} failed (exit ${r.status}): ${msg}`)
    }
    return { dir, state: readTensorFile(dir, 'state'), golden: readTensorFile(dir, 'golden') }
  }

  cleanup(): void {
    for (const d of this.dirs) fs.rmSync(d, { recursive: true, force: true })
  }
}

export function tensorOf(g: Goldens, k: string): RawTensor {
  const t = g.golden.get(k)
  if (!t) throw new Error(`golden has no '${k}'`)
  return t
}

export function loadInto<M extends TorchvisionModel>(model: M, g: Goldens): M {
  model.loadStateDict(asStateDict(g.state), path.join(g.dir, 'state.bin'))
  return model
}

export interface StepCheck {
  lossErr: number
  /** Relative max error per gradient, and PyTorch float32's own error for the report. */
  grads: Array<{ key: string; err: number; torch32: number }>
  running: Array<{ key: string; err: number }>
}

/**
 * One forward + backward of torchvision's reference criterion — CE(out) (+ 0.5·CE(aux)), ignore 255, on
 * logits resized as torchvision does — compared with the float64 golden. Train mode (BN batch statistics,
 * running statistics updated) by default; `frozenBn`: BN in eval mode (the golden's frozen_… entries).
 */
export async function trainStep(
  model: TorchvisionModel,
  g: Goldens,
  o: { frozenBn?: boolean } = {},
): Promise<StepCheck> {
  const frozen = o.frozenBn === true
  const x = nchwToNhwc(tensorOf(g, 'x'))
  const [n, h, w] = x.shape
  const labels = tf.tensor3d(tensorOf(g, 'labels').data, [n, h, w], 'int32')
  const { value, grads } = namedGrads(() => {
    const { main, aux } = model.forward(x, !frozen)
    const ce = crossEntropyIgnore(resizeBilinearTorch(main, h, w, false), labels)
    if (!aux) return ce
    return ce.add(crossEntropyIgnore(resizeBilinearTorch(aux, h, w, false), labels).mul(0.5)) as tf.Scalar
  }, model.params.trainableVariables())
  const loss = (await value.data())[0] as number
  const wantLoss = tensorOf(g, frozen ? 'frozen_loss' : 'loss').data[0] as number
  const out: StepCheck = { lossErr: Math.abs(loss - wantLoss) / Math.abs(wantLoss), grads: [], running: [] }
  const [gradPrefix, f32Prefix] = frozen ? ['frozen_grad:', 'frozen_f32grad:'] : ['grad:', 'f32grad:']
  for (const [name, t] of g.golden) {
    if (name.startsWith(gradPrefix)) {
      const key = name.slice(gradPrefix.length)
      const layout = model.torchLayout(key)
      const mine = grads[key]
      if (!layout || !mine) throw new Error(`model has no gradient for ${key}`)
      const want = torchToTfjsValues(t.data, t.shape, layout)
      const torch32 = relMaxDiff(
        torchToTfjsValues(tensorOf(g, `${f32Prefix}${key}`).data, t.shape, layout),
        want,
      )
      out.grads.push({ key, err: relMaxDiff(await mine.data(), want), torch32 })
    } else if (!frozen && name.startsWith('after:')) {
      const key = name.slice('after:'.length)
      out.running.push({ key, err: relMaxDiff(await model.params.variable(key).data(), t.data) })
    }
  }
  tf.dispose([value, labels, x, ...Object.values(grads)])
  return out
}

export function describeStep(c: StepCheck): string {
  return [
    `loss ${c.lossErr.toExponential(2)}`,
    ...c.grads.map(
      (g) => `${g.key} ${g.err.toExponential(2)} (PyTorch float32 ${g.torch32.toExponential(2)})`,
    ),
    ...c.running.map((r) => `${r.key} ${r.err.toExponential(2)}`),
  ].join('; ')
}

/** Eval-mode logits vs golden `key`, and the torchvision-resized output's argmax agreement with `out`. */
export async function evalCheck(
  model: TorchvisionModel,
  g: Goldens,
): Promise<{ logitErr: number; auxErr: number | null; outErr: number; argmaxAgree: number }> {
  const x = nchwToNhwc(tensorOf(g, 'x'))
  const [, h, w] = x.shape
  const { main, aux } = model.forward(x, false)
  const want = nchwToNhwc(tensorOf(g, 'logits'))
  if (main.shape.join() !== want.shape.join()) throw new Error(`logits ${main.shape} ≠ golden ${want.shape}`)
  const logitErr = relMaxDiff(await main.data(), await want.data())
  let auxErr: number | null = null
  if (aux) {
    const wantAux = nchwToNhwc(tensorOf(g, 'aux_logits'))
    auxErr = relMaxDiff(await aux.data(), await wantAux.data())
    wantAux.dispose()
  }
  const out = resizeBilinearTorch(main, h, w, false)
  const wantOut = nchwToNhwc(tensorOf(g, 'out'))
  const outErr = relMaxDiff(await out.data(), await wantOut.data())
  const [am, bm] = [out.argMax(3), wantOut.argMax(3)]
  const a = await am.data()
  const b = await bm.data()
  let same = 0
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++
  tf.dispose([x, main, want, out, wantOut, am, bm, ...(aux ? [aux] : [])])
  return { logitErr, auxErr, outErr, argmaxAgree: same / a.length }
}
