import * as tf from '@tensorflow/tfjs'
import { selectBackend } from '/work/main/src/main/engine/backend/select-backend'
import { EmbedNet } from '/work/main/src/main/engine/segsort/embed-net'
import { segsortLossMap, segsortLoss } from '/work/main/src/main/engine/segsort/segsort-loss'
import { buildSegments, gridRegions } from '/work/main/src/main/engine/segsort/segments'
import { namedGrads } from '/work/main/src/main/engine/train/steps'
async function main() {
  await selectBackend({ force: 'wasm', env: {} })
  const net = new EmbedNet({ width: 16, dim: 32, seed: 0 })
  const n = 4, size = 64
  const labels = new Int32Array(n * size * size).map((_, i) => (i % 7 === 0 ? 3 : i % 5 === 0 ? 255 : 0))
  const g = gridRegions(size, size, 4)
  const reg = new Int32Array(n * size * size); for (let b = 0; b < n; b++) reg.set(g, b * size * size)
  const seg = buildSegments(labels, reg, n, size * size)
  console.log('segments', seg.segmentClass.length)
  const x = tf.randomNormal([n, size, size, 3]) as tf.Tensor4D
  for (let rep = 0; rep < 3; rep++) {
    let t = performance.now()
    const vars = net.params.trainableVariables()
    const r = namedGrads(() => segsortLossMap(net.embedAt(x, size, size, true), seg, 10), vars)
    r.value.dataSync(); console.log('full step', performance.now() - t)
    tf.dispose([r.value, ...Object.values(r.grads)])
    t = performance.now()
    const e = tf.randomNormal([n * size * size, 32]) as tf.Tensor2D
    const gr = tf.grad((v: tf.Tensor) => segsortLoss(v as tf.Tensor2D, seg, 10))(e)
    gr.dataSync(); console.log('loss only', performance.now() - t)
    tf.dispose([e, gr])
    t = performance.now()
    const r2 = namedGrads(() => net.embedAt(x, size, size, true).sum() as tf.Scalar, vars)
    r2.value.dataSync(); console.log('net only', performance.now() - t)
    tf.dispose([r2.value, ...Object.values(r2.grads)])
  }
}
main()
