/**
 * A run's outcome as it crosses Redis. BullMQ stores a job's return value (and progress) as JSON, which
 * turns a Float64Array into an object of indices and NaN into null — and a run's metrics hold both
 * (per-class IoU arrays, NaN for "no class present"). So the worker encodes typed arrays and non-finite
 * numbers with tags, and the studio decodes them: what it stores equals what a local run would store.
 */

const TYPED = {
  Float64Array,
  Float32Array,
  Uint32Array,
  Int32Array,
  Uint8Array,
  Uint16Array,
  Int16Array,
  Int8Array,
} as const
type TypedName = keyof typeof TYPED

function encodeNumber(n: number): unknown {
  return Number.isFinite(n) ? n : { $num: String(n) }
}

export function encodeWire(v: unknown): unknown {
  if (typeof v === 'number') return encodeNumber(v)
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
    const name = v.constructor.name as TypedName
    if (!(name in TYPED)) throw new Error(`cannot send a ${name} to the farm`)
    return { $typed: name, values: Array.from(v as unknown as ArrayLike<number>, encodeNumber) }
  }
  if (Array.isArray(v)) return v.map(encodeWire)
  if (typeof v === 'object' && v !== null) {
    const out: Record<string, unknown> = {}
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = encodeWire(x)
    return out
  }
  return v
}

function decodeNumber(v: unknown): number {
  if (typeof v === 'number') return v
  if (typeof v === 'object' && v !== null && typeof (v as { $num?: unknown }).$num === 'string') {
    const s = (v as { $num: string }).$num
    if (s === 'NaN') return NaN
    if (s === 'Infinity') return Infinity
    if (s === '-Infinity') return -Infinity
  }
  throw new Error(`not a number on the wire: ${JSON.stringify(v)}`)
}

export function decodeWire(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(decodeWire)
  if (typeof v === 'object' && v !== null) {
    const o = v as Record<string, unknown>
    const keys = Object.keys(o)
    if (keys.length === 1 && keys[0] === '$num') return decodeNumber(o)
    if (keys.length === 2 && typeof o.$typed === 'string' && Array.isArray(o.values)) {
      const name = o.$typed as TypedName
      if (!(name in TYPED)) throw new Error(`unknown typed array ${name} on the wire`)
      return TYPED[name].from(o.values.map(decodeNumber))
    }
    const out: Record<string, unknown> = {}
    for (const [k, x] of Object.entries(o)) out[k] = decodeWire(x)
    return out
  }
  return v
}
