/**
 * Seeded randomness for the synthetic benchmark. Every random decision is drawn from a stream derived
 * from (seed, labels…) by hashing, never from a shared sequential stream: an image's content then
 * depends only on its own labels, so rendering order, concurrency and preset size cannot change it.
 */

/** 32-bit FNV-1a over the UTF-16 code units of the labels joined with a separator. */
export function hashLabels(parts: readonly (string | number)[]): number {
  let h = 0x811c9dc5
  const text = parts.join('\u001f')
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return mix32(h)
}

/** Final avalanche of murmur3: spreads nearby inputs over the whole 32-bit range. */
export function mix32(x: number): number {
  let h = x >>> 0
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

/** sfc32: small, fast, statistically good, and fully specified, so streams are stable across Node versions. */
export class Rng {
  private a: number
  private b: number
  private c: number
  private d: number

  constructor(seed: number) {
    this.a = 0x9e3779b9
    this.b = 0x243f6a88
    this.c = 0xb7e15162
    this.d = seed >>> 0
    for (let i = 0; i < 12; i++) this.nextU32()
  }

  /** A stream for (seed, ...labels); the same labels always give the same stream. */
  static derive(seed: number, ...labels: (string | number)[]): Rng {
    return new Rng(hashLabels([seed, ...labels]))
  }

  /** A child stream named by labels; does not advance this stream. */
  fork(...labels: (string | number)[]): Rng {
    return new Rng(hashLabels([this.d, this.a, ...labels]))
  }

  nextU32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0
    this.d = (this.d + 1) | 0
    this.a = this.b ^ (this.b >>> 9)
    this.b = (this.c + (this.c << 3)) | 0
    this.c = (this.c << 21) | (this.c >>> 11)
    this.c = (this.c + t) | 0
    return t >>> 0
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextU32() / 4294967296
  }

  /** Uniform in [lo, hi). */
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next()
  }

  /** Integer uniform in [lo, hi] (inclusive). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1))
  }

  chance(p: number): boolean {
    return this.next() < p
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list')
    return items[Math.floor(this.next() * items.length)]!
  }

  /** Index drawn with probability proportional to weights (non-negative, not all zero). */
  weightedIndex(weights: readonly number[]): number {
    let total = 0
    for (const w of weights) total += Math.max(0, w)
    if (!(total > 0)) throw new Error('weighted pick needs a positive total weight')
    let r = this.next() * total
    for (let i = 0; i < weights.length; i++) {
      r -= Math.max(0, weights[i]!)
      if (r < 0) return i
    }
    // Rounding can leave r at ~0 after the loop; the last positive weight is the right answer then.
    for (let i = weights.length - 1; i >= 0; i--) if (weights[i]! > 0) return i
    return 0
  }

  /** Standard normal (Box–Muller; one value per call keeps the stream simple to reason about). */
  normal(): number {
    const u = 1 - this.next()
    const v = this.next()
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
  }

  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1))
      const t = items[i]!
      items[i] = items[j]!
      items[j] = t
    }
    return items
  }
}
