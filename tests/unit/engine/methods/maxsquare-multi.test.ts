/**
 * MaxSquare "+Multi" aux term against numpy, written here from the released tools/solve_gta5.py: the aux
 * branch's hard-CE target is argmax((P + P2) / 2) where max P > 0.95 or max P2 > 0.95, else ignored, and
 * CE is the mean over the kept pixels (nn.CrossEntropyLoss(ignore_index)). Logits are scaled so that
 * both confident and unconfident pixels occur.
 */
import { spawnSync } from 'node:child_process'
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { crossEntropyIgnore, maxSquareGuidanceLabels } from '../../../../src/main/engine/losses'
import { useBackend } from '../helpers'

const PY = '/usr/bin/python3'
const hasNumpy = spawnSync(PY, ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0

beforeAll(async () => {
  await useBackend('wasm')
})

function logits(seed: number, n: number, h: number, w: number, c: number): number[] {
  const out: number[] = []
  let s = seed
  for (let i = 0; i < n * h * w * c; i++) {
    s = (s * 1103515245 + 12345) % 2147483648
    out.push(Math.round(((s / 2147483648) * 2 - 1) * 9 * 1000) / 1000)
  }
  return out
}

describe('MaxSquare +Multi guidance', () => {
  it.skipIf(!hasNumpy)('labels and aux CE equal numpy', () => {
    const [n, h, w, c] = [2, 5, 7, 4]
    const main = logits(11, n, h, w, c)
    const aux = logits(23, n, h, w, c)
    const script = `
import json, sys
import numpy as np
d = json.load(sys.stdin)
n, h, w, c = d['shape']
m = np.array(d['main'], dtype=np.float32).reshape(n, h, w, c).astype(np.float64)
a = np.array(d['aux'], dtype=np.float64).reshape(n, h, w, c)
def softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)
p, p2 = softmax(m), softmax(a)
mask = (p.max(-1) > 0.95) | (p2.max(-1) > 0.95)
label = np.where(mask, ((p + p2) / 2).argmax(-1), 255)
logp2 = np.log(p2)
kept = label != 255
ce = -np.take_along_axis(logp2, np.where(kept, label, 0)[..., None], -1)[..., 0][kept].mean()
print(json.dumps({'label': label.ravel().tolist(), 'ce': float(ce), 'kept': int(kept.sum())}))
`
    const r = spawnSync(PY, ['-c', script], {
      input: JSON.stringify({ shape: [n, h, w, c], main, aux }),
      encoding: 'utf8',
    })
    expect(r.status, r.stderr).toBe(0)
    const want = JSON.parse(r.stdout) as { label: number[]; ce: number; kept: number }
    // Both kinds of pixel occur, so the mask is exercised.
    expect(want.kept).toBeGreaterThan(0)
    expect(want.kept).toBeLessThan(n * h * w)
    const tMain = tf.tensor4d(main, [n, h, w, c])
    const tAux = tf.tensor4d(aux, [n, h, w, c])
    const labels = maxSquareGuidanceLabels(tMain, tAux)
    const ce = crossEntropyIgnore(tAux, labels)
    try {
      expect(Array.from(labels.dataSync())).toEqual(want.label)
      expect(ce.dataSync()[0]).toBeCloseTo(want.ce, 4)
    } finally {
      tf.dispose([tMain, tAux, labels, ce])
    }
  })

  it('carries no gradient into the labels: the aux term only moves the aux logits', () => {
    const [n, h, w, c] = [1, 3, 3, 3]
    const main = tf.variable(tf.tensor4d(logits(5, n, h, w, c), [n, h, w, c]), true, 'main')
    const aux = tf.variable(tf.tensor4d(logits(7, n, h, w, c), [n, h, w, c]), true, 'aux')
    const { value, grads } = tf.variableGrads(
      () =>
        crossEntropyIgnore(
          aux as unknown as tf.Tensor4D,
          maxSquareGuidanceLabels(main as unknown as tf.Tensor4D, aux as unknown as tf.Tensor4D),
        ),
      [main, aux],
    )
    try {
      const onMain = grads[main.name]
      expect(onMain === undefined || Math.max(...Array.from(onMain.abs().dataSync())) === 0).toBe(true)
      expect(Math.max(...Array.from(grads[aux.name]!.abs().dataSync()))).toBeGreaterThan(0)
    } finally {
      tf.dispose([main, aux, value, ...Object.values(grads)])
    }
  })
})
