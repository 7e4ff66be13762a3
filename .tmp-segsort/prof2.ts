import * as tf from '@tensorflow/tfjs'
import { selectBackend } from '../src/main/engine/backend/select-backend'
import { segsortLoss } from '../src/main/engine/segsort/segsort-loss'
import { buildSegments, gridRegions } from '../src/main/engine/segsort/segments'
async function main() {
  await selectBackend({ force: 'wasm', env: {} })
  const n = 4, size = 64
  const labels = new Int32Array(n * size * size).map((_, i) => (i % 7 === 0 ? 3 : i % 5 === 0 ? 255 : 0))
  const g = gridRegions(size, size, 4)
  const reg = new Int32Array(n * size * size); for (let b = 0; b < n; b++) reg.set(g, b * size * size)
  const seg = buildSegments(labels, reg, n, size * size)
  const e = tf.randomNormal([n * size * size, 32]) as tf.Tensor2D
  const info = await tf.profile(() => { const gr = tf.grad((v: tf.Tensor) => segsortLoss(v as tf.Tensor2D, seg, 10))(e); gr.dataSync(); return gr })
  const ks = info.kernels.map((k) => ({ name: k.name, ms: Number(k.kernelTimeMs), shape: JSON.stringify(k.inputShapes) }))
  ks.sort((a, b) => b.ms - a.ms)
  console.log(ks.slice(0, 12))
}
main()
