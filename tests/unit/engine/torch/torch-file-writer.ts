/**
 * Test helpers that write `.pth` files by hand: a pickle opcode writer (to craft valid and hostile pickles
 * byte by byte) and a stored-entry zip writer (the container torch.save uses). They let the reader's
 * checks run without Python, and write what Python would refuse to write.
 */
import { writeFileSync } from 'node:fs'
import { crc32 } from '../../../../src/shared/png-chunks'

/** Builds a pickle from opcodes; each method appends and returns `this`. */
export class PickleWriter {
  private parts: Buffer[] = []
  private add(...bytes: (number | Buffer)[]): this {
    for (const b of bytes) this.parts.push(typeof b === 'number' ? Buffer.from([b]) : b)
    return this
  }
  proto(n = 2): this {
    return this.add(0x80, n)
  }
  emptyDict(): this {
    return this.add(0x7d)
  }
  emptyTuple(): this {
    return this.add(0x29)
  }
  emptyList(): this {
    return this.add(0x5d)
  }
  mark(): this {
    return this.add(0x28)
  }
  tuple(): this {
    return this.add(0x74)
  }
  tuple2(): this {
    return this.add(0x86)
  }
  setitems(): this {
    return this.add(0x75)
  }
  appends(): this {
    return this.add(0x65)
  }
  str(s: string): this {
    const b = Buffer.from(s, 'utf8')
    const len = Buffer.alloc(4)
    len.writeUInt32LE(b.length)
    return this.add(0x58, len, b)
  }
  int(n: number): this {
    if (n >= 0 && n < 256) return this.add(0x4b, n)
    if (n >= -(2 ** 31) && n < 2 ** 31) {
      const b = Buffer.alloc(4)
      b.writeInt32LE(n)
      return this.add(0x4a, b)
    }
    const b = Buffer.alloc(8)
    b.writeBigInt64LE(BigInt(n))
    return this.add(0x8a, 8, b)
  }
  bool(v: boolean): this {
    return this.add(v ? 0x88 : 0x89)
  }
  global(module: string, name: string): this {
    return this.add(0x63, Buffer.from(`${module}\n${name}\n`, 'latin1'))
  }
  reduce(): this {
    return this.add(0x52)
  }
  binpersid(): this {
    return this.add(0x51)
  }
  raw(...bytes: number[]): this {
    return this.add(...bytes)
  }
  stop(): Buffer {
    this.add(0x2e)
    return Buffer.concat(this.parts)
  }

  /** torch._utils._rebuild_tensor_v2(storage(key, dtype class, numel), offset, size, stride, False, OrderedDict()). */
  tensor(t: {
    key: string
    storage: string
    numel: number
    offset: number
    size: number[]
    stride: number[]
  }): this {
    this.global('torch._utils', '_rebuild_tensor_v2').mark()
    this.mark()
      .str('storage')
      .global('torch', t.storage)
      .str(t.key)
      .str('cpu')
      .int(t.numel)
      .tuple()
      .binpersid()
    this.int(t.offset)
    this.mark()
    for (const s of t.size) this.int(s)
    this.tuple().mark()
    for (const s of t.stride) this.int(s)
    this.tuple().bool(false).global('collections', 'OrderedDict').emptyTuple().reduce()
    return this.tuple().reduce()
  }
}

/** A zip of stored (uncompressed) entries, as torch.save writes them. */
export function zipStored(entries: Record<string, Uint8Array>): Buffer {
  const locals: Buffer[] = []
  const centrals: Buffer[] = []
  let offset = 0
  for (const [name, data] of Object.entries(entries)) {
    const nameB = Buffer.from(name, 'utf8')
    const crc = crc32(data)
    const lh = Buffer.alloc(30)
    lh.writeUInt32LE(0x04034b50, 0)
    lh.writeUInt16LE(20, 4)
    lh.writeUInt16LE(0, 6)
    lh.writeUInt16LE(0, 8)
    lh.writeUInt16LE(0, 10)
    lh.writeUInt16LE(0x21, 12)
    lh.writeUInt32LE(crc, 14)
    lh.writeUInt32LE(data.length, 18)
    lh.writeUInt32LE(data.length, 22)
    lh.writeUInt16LE(nameB.length, 26)
    lh.writeUInt16LE(0, 28)
    const ch = Buffer.alloc(46)
    ch.writeUInt32LE(0x02014b50, 0)
    ch.writeUInt16LE(20, 4)
    ch.writeUInt16LE(20, 6)
    ch.writeUInt16LE(0, 8)
    ch.writeUInt16LE(0, 10)
    ch.writeUInt16LE(0, 12)
    ch.writeUInt16LE(0x21, 14)
    ch.writeUInt32LE(crc, 16)
    ch.writeUInt32LE(data.length, 20)
    ch.writeUInt32LE(data.length, 24)
    ch.writeUInt16LE(nameB.length, 28)
    ch.writeUInt32LE(offset, 42)
    locals.push(lh, nameB, Buffer.from(data))
    centrals.push(ch, nameB)
    offset += 30 + nameB.length + data.length
  }
  const cd = Buffer.concat(centrals)
  const eocd = Buffer.alloc(22)
  eocd.writeUInt32LE(0x06054b50, 0)
  const n = Object.keys(entries).length
  eocd.writeUInt16LE(n, 8)
  eocd.writeUInt16LE(n, 10)
  eocd.writeUInt32LE(cd.length, 12)
  eocd.writeUInt32LE(offset, 16)
  return Buffer.concat([...locals, cd, eocd])
}

/** Writes `<archive>/data.pkl`, `<archive>/version` and each storage as `<archive>/data/<key>`. */
export function writeTorchZip(
  file: string,
  pickle: Buffer,
  storages: Record<string, Uint8Array> = {},
  archive = 'archive',
): void {
  const entries: Record<string, Uint8Array> = { [`${archive}/data.pkl`]: pickle }
  for (const [k, v] of Object.entries(storages)) entries[`${archive}/data/${k}`] = v
  entries[`${archive}/version`] = Buffer.from('3\n')
  writeFileSync(file, zipStored(entries))
}

export function float32Bytes(values: number[]): Uint8Array {
  return new Uint8Array(new Float32Array(values).buffer)
}

/**
 * A state dict with the given layout (name → shape), every tensor filled with `fill` (int64 for
 * `num_batches_tracked`), one storage per tensor, written as torch.save would.
 */
export function writeSpecPth(file: string, spec: Map<string, number[]>, fill = 0.01): void {
  const p = new PickleWriter().proto(2).global('collections', 'OrderedDict').emptyTuple().reduce().mark()
  const storages: Record<string, Uint8Array> = {}
  let key = 0
  for (const [name, shape] of spec) {
    const n = shape.reduce((a, b) => a * b, 1)
    const stride = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1))
    const isCount = name.endsWith('num_batches_tracked')
    const k = String(key++)
    p.str(name).tensor({
      key: k,
      storage: isCount ? 'LongStorage' : 'FloatStorage',
      numel: n,
      offset: 0,
      size: shape,
      stride,
    })
    storages[k] = isCount ? new Uint8Array(8 * n) : new Uint8Array(new Float32Array(n).fill(fill).buffer)
  }
  writeTorchZip(file, p.setitems().stop(), storages)
}
