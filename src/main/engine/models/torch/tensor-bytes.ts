/**
 * Raw PyTorch storage bytes → the engine's contiguous arrays. A saved tensor is a view (offset, shape,
 * strides in elements) into a storage that may be shared with other tensors, be larger than the view, or be
 * read with a zero stride (expand); this gathers the view in row-major order. Pure functions.
 */
import type { TorchDType } from './state-dict'

/** Storage classes as `torch.save` names them in the pickle (`torch.FloatStorage` …). */
export const STORAGE_DTYPES: Readonly<Record<string, TorchDType>> = {
  FloatStorage: 'float32',
  DoubleStorage: 'float64',
  HalfStorage: 'float16',
  BFloat16Storage: 'bfloat16',
  LongStorage: 'int64',
  IntStorage: 'int32',
  ShortStorage: 'int16',
  CharStorage: 'int8',
  ByteStorage: 'uint8',
  BoolStorage: 'bool',
}

export const DTYPE_BYTES: Readonly<Record<TorchDType, number>> = {
  float32: 4,
  float64: 8,
  float16: 2,
  bfloat16: 2,
  int64: 8,
  int32: 4,
  int16: 2,
  int8: 1,
  uint8: 1,
  bool: 1,
}

export function isFloatingDType(d: TorchDType): boolean {
  return d === 'float32' || d === 'float64' || d === 'float16' || d === 'bfloat16'
}

/** IEEE half → number (exact: every half is a float32). */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1
  const exp = (h >> 10) & 0x1f
  const frac = h & 0x3ff
  if (exp === 0) return sign * frac * 2 ** -24
  if (exp === 0x1f) return frac ? NaN : sign * Infinity
  return sign * (1 + frac / 1024) * 2 ** (exp - 15)
}

/** Typed arrays use the host's byte order; the fast paths need it to be the file's (little-endian). */
const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1

/** Reads element i (an index into the storage) as a number. */
type ElementReader = (i: number) => number

function elementReader(bytes: Uint8Array, dtype: TorchDType, littleEndian: boolean): ElementReader {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const le = littleEndian
  switch (dtype) {
    case 'float32':
      return (i) => v.getFloat32(i * 4, le)
    case 'float64':
      return (i) => v.getFloat64(i * 8, le)
    case 'float16':
      return (i) => halfToFloat(v.getUint16(i * 2, le))
    case 'bfloat16': {
      // bfloat16 is the top half of a float32.
      const f = new DataView(new ArrayBuffer(4))
      return (i) => {
        f.setUint32(0, v.getUint16(i * 2, le) << 16)
        return f.getFloat32(0)
      }
    }
    case 'int64':
      // hi·2³² + lo: exact up to 2⁵³, which covers every count a state dict holds (num_batches_tracked).
      return le
        ? (i) => v.getInt32(i * 8 + 4, true) * 4294967296 + v.getUint32(i * 8, true)
        : (i) => v.getInt32(i * 8, false) * 4294967296 + v.getUint32(i * 8 + 4, false)
    case 'int32':
      return (i) => v.getInt32(i * 4, le)
    case 'int16':
      return (i) => v.getInt16(i * 2, le)
    case 'int8':
      return (i) => v.getInt8(i)
    case 'uint8':
    case 'bool':
      return (i) => v.getUint8(i)
  }
}

/** A typed-array reader where the platform's byte order and the storage's alignment allow one (fast path). */
function alignedReader(bytes: Uint8Array, dtype: TorchDType, littleEndian: boolean): ElementReader | null {
  if (!littleEndian || !HOST_LITTLE_ENDIAN) return null
  if (dtype === 'float32' && bytes.byteOffset % 4 === 0) {
    const a = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 2)
    return (i) => a[i]!
  }
  if (dtype === 'float64' && bytes.byteOffset % 8 === 0) {
    const a = new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 3)
    return (i) => a[i]!
  }
  return null
}

export interface TensorViewSpec {
  dtype: TorchDType
  /** Storage length in elements. */
  storageNumel: number
  offset: number
  shape: readonly number[]
  stride: readonly number[]
}

/** Why a view cannot be read from its storage, or null when it can. */
export function viewProblem(spec: TensorViewSpec): string | null {
  const { shape, stride, offset, storageNumel } = spec
  if (shape.length !== stride.length) return `has ${shape.length} sizes but ${stride.length} strides`
  if (!Number.isSafeInteger(offset) || offset < 0) return `has storage offset ${offset}`
  let last = offset
  let empty = false
  for (let d = 0; d < shape.length; d++) {
    const n = shape[d]!
    const s = stride[d]!
    if (!Number.isSafeInteger(n) || n < 0) return `has size ${n} in dimension ${d}`
    if (!Number.isSafeInteger(s) || s < 0)
      return `has stride ${s} in dimension ${d} (negative strides are not supported)`
    if (n === 0) empty = true
    else last += (n - 1) * s
  }
  if (!empty && last >= storageNumel)
    return `reads element ${last} of a storage of ${storageNumel} elements (storage offset ${offset}, sizes [${shape.join(', ')}], strides [${stride.join(', ')}])`
  return null
}

function isContiguous(shape: readonly number[], stride: readonly number[]): boolean {
  let expect = 1
  for (let d = shape.length - 1; d >= 0; d--) {
    if (shape[d] !== 1 && stride[d] !== expect) return false
    expect *= shape[d]!
  }
  return true
}

/**
 * Gathers a tensor view into a new contiguous array: floating dtypes → Float32Array (float64 rounds to
 * float32, as the engine computes in float32), integer and bool dtypes → Float64Array. Call `viewProblem`
 * first; this assumes the view is in bounds.
 */
export function gatherView(
  storage: Uint8Array,
  spec: TensorViewSpec,
  littleEndian: boolean,
): Float32Array | Float64Array {
  const { dtype, shape, stride, offset } = spec
  const n = shape.reduce((a, b) => a * b, 1)
  const out = isFloatingDType(dtype) ? new Float32Array(n) : new Float64Array(n)
  if (n === 0) return out
  // Fast path: little-endian float32 laid out contiguously — a byte copy.
  if (dtype === 'float32' && littleEndian && HOST_LITTLE_ENDIAN && isContiguous(shape, stride)) {
    new Uint8Array(out.buffer).set(storage.subarray(offset * 4, (offset + n) * 4))
    return out
  }
  const read = alignedReader(storage, dtype, littleEndian) ?? elementReader(storage, dtype, littleEndian)
  const rank = shape.length
  // One element broadcast everywhere (a scalar, or `expand` of a one-element tensor).
  if (stride.every((s) => s === 0)) return out.fill(read(offset))
  // Odometer over all but the last dimension; the innermost loop walks the last one.
  const idx = new Array<number>(rank).fill(0)
  const inner = shape[rank - 1]!
  const innerStride = stride[rank - 1]!
  let base = offset
  for (let o = 0; o < n; o += inner) {
    for (let j = 0, p = base; j < inner; j++, p += innerStride) out[o + j] = read(p)
    for (let d = rank - 2; d >= 0; d--) {
      idx[d]!++
      base += stride[d]!
      if (idx[d]! < shape[d]!) break
      base -= idx[d]! * stride[d]!
      idx[d] = 0
    }
  }
  return out
}
