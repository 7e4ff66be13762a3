/// <reference lib="webworker" />
/** Computes SLIC superpixels off the main thread. Message: {id, rgba, width, height, regionSize}. */
import { slic } from './slic'

interface SlicRequest {
  id: number
  rgba: Uint8ClampedArray
  width: number
  height: number
  regionSize: number
}

self.onmessage = (e: MessageEvent<SlicRequest>) => {
  const { id, rgba, width, height, regionSize } = e.data
  try {
    const r = slic(rgba, width, height, { regionSize })
    ;(self as unknown as Worker).postMessage({ id, labels: r.labels, count: r.count }, [r.labels.buffer])
  } catch (err) {
    ;(self as unknown as Worker).postMessage({ id, error: err instanceof Error ? err.message : String(err) })
  }
}
