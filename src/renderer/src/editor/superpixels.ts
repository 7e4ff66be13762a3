/** Superpixels of the current photo, computed once per granularity in a Web Worker. */
export class SuperpixelCache {
  private worker: Worker | null = null
  private cache = new Map<number, Promise<Int32Array | null>>()
  private nextId = 1
  private pending = new Map<number, (r: Int32Array | null) => void>()

  constructor(
    private readonly pixels: () => Uint8ClampedArray | null,
    private readonly width: number,
    private readonly height: number,
  ) {}

  get(regionSize: number): Promise<Int32Array | null> {
    let p = this.cache.get(regionSize)
    if (!p) {
      p = this.compute(regionSize)
      this.cache.set(regionSize, p)
    }
    return p
  }

  private compute(regionSize: number): Promise<Int32Array | null> {
    const rgba = this.pixels()
    if (!rgba) return Promise.resolve(null)
    if (!this.worker) {
      this.worker = new Worker(new URL('./slic.worker.ts', import.meta.url), { type: 'module' })
      this.worker.onmessage = (e: MessageEvent<{ id: number; labels?: Int32Array; error?: string }>) => {
        const done = this.pending.get(e.data.id)
        this.pending.delete(e.data.id)
        done?.(e.data.labels ?? null)
      }
    }
    const id = this.nextId++
    return new Promise((resolve) => {
      this.pending.set(id, resolve)
      this.worker!.postMessage({ id, rgba: rgba.slice(), width: this.width, height: this.height, regionSize })
    })
  }

  dispose(): void {
    this.worker?.terminate()
    for (const done of this.pending.values()) done(null)
    this.pending.clear()
  }
}
