/**
 * The subset of Python's pickle that `torch.save(model.state_dict(), f)` writes (protocols 2–5), read as
 * inert data. Nothing is ever executed: a GLOBAL is looked up in the caller's whitelist (`resolveGlobal`),
 * and a REDUCE may only call what that whitelist returned as a `PyCallable` (a TypeScript function that
 * builds data). Any other global, any opcode that builds arbitrary objects (INST, OBJ, NEWOBJ, …) or reads
 * text persistent ids is refused with the file name and what it asked for.
 */

/** A Python tuple (kept apart from lists so a persistent id can be recognised). */
export class PyTuple {
  constructor(readonly items: PickleValue[]) {}
}

export type PyKey = string | number | bigint | boolean | null

/** A dict or OrderedDict; insertion order is kept (state-dict order). */
export class PyDict {
  readonly map = new Map<PyKey, PickleValue>()
  /** Instance attributes set by BUILD (an OrderedDict state dict carries `_metadata`). */
  readonly attrs = new Map<string, PickleValue>()
}

/** A whitelisted global that is only referenced, never called (e.g. `torch.FloatStorage`). */
export class PyGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}
}

/** A whitelisted global that REDUCE may call: a pure builder of data. */
export class PyCallable {
  constructor(
    readonly qualifiedName: string,
    readonly call: (args: PickleValue[]) => PickleValue,
  ) {}
}

/** Anything the caller's callables or persistent loader return (tensor views, storage refs). */
export interface PyOpaque {
  readonly opaqueKind: string
}

export type PickleValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PickleValue[]
  | PyTuple
  | PyDict
  | PyGlobal
  | PyCallable
  | PyOpaque

export interface UnpickleOptions {
  /** Named in every error message. */
  file: string
  /** Return a PyGlobal or PyCallable for an allowed global, or undefined to refuse it. */
  resolveGlobal(module: string, name: string): PyGlobal | PyCallable | undefined
  /** Resolve a BINPERSID id (torch: a storage reference). */
  persistentLoad(pid: PickleValue): PickleValue
}

export class PickleError extends Error {
  override name = 'PickleError'
}

const MARK = Symbol('mark')
type StackItem = PickleValue | typeof MARK

/** Opcodes refused by name, so the message says what the pickle tried to do. */
const REFUSED_OPCODES: Record<number, string> = {
  0x69: 'INST (instantiate an arbitrary class)',
  0x6f: 'OBJ (instantiate an arbitrary class)',
  0x81: 'NEWOBJ (instantiate an arbitrary class)',
  0x92: 'NEWOBJ_EX (instantiate an arbitrary class)',
  0x50: 'PERSID (text persistent id)',
  0x82: 'EXT1 (extension registry)',
  0x83: 'EXT2 (extension registry)',
  0x84: 'EXT4 (extension registry)',
}

export function unpickle(bytes: Uint8Array, opts: UnpickleOptions): PickleValue {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const stack: StackItem[] = []
  const memo = new Map<number, PickleValue>()
  const utf8 = new TextDecoder('utf-8', { fatal: true })
  const latin1 = new TextDecoder('latin1')
  let pos = 0

  const fail = (msg: string): never => {
    throw new PickleError(`${opts.file}: ${msg}`)
  }
  const need = (n: number): void => {
    if (n < 0 || pos + n > bytes.length)
      fail(`the pickle is truncated (needs ${n} bytes at byte ${pos} of ${bytes.length})`)
  }
  const u8 = (): number => {
    need(1)
    return bytes[pos++]!
  }
  const u16 = (): number => {
    need(2)
    const v = view.getUint16(pos, true)
    pos += 2
    return v
  }
  const u32 = (): number => {
    need(4)
    const v = view.getUint32(pos, true)
    pos += 4
    return v
  }
  const u64 = (): number => {
    need(8)
    const v = view.getBigUint64(pos, true)
    pos += 8
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) fail(`a length of ${v} bytes is impossible`)
    return Number(v)
  }
  const take = (n: number): Uint8Array => {
    need(n)
    const out = bytes.subarray(pos, pos + n)
    pos += n
    return out
  }
  const line = (): string => {
    const end = bytes.indexOf(0x0a, pos)
    if (end < 0) fail(`the pickle is truncated (a text line at byte ${pos} has no end)`)
    const s = latin1.decode(bytes.subarray(pos, end))
    pos = end + 1
    return s
  }
  const str = (n: number): string => {
    const raw = take(n)
    try {
      return utf8.decode(raw)
    } catch {
      return fail(`a string at byte ${pos - n} is not valid UTF-8`)
    }
  }
  const pop = (): PickleValue => {
    const v = stack.pop()
    if (v === undefined) fail(`the pickle pops an empty stack at byte ${pos - 1}`)
    if (v === MARK) fail(`the pickle pops a MARK as a value at byte ${pos - 1}`)
    return v as PickleValue
  }
  const top = (): PickleValue => {
    const v = stack[stack.length - 1]
    if (v === undefined || v === MARK) fail(`the pickle expects a value on the stack at byte ${pos - 1}`)
    return v as PickleValue
  }
  const popMark = (): PickleValue[] => {
    const i = stack.lastIndexOf(MARK)
    if (i < 0) fail(`the pickle has no MARK to pop at byte ${pos - 1}`)
    const items = stack.splice(i) as StackItem[]
    items.shift()
    return items as PickleValue[]
  }
  const memoGet = (i: number): PickleValue => {
    if (!memo.has(i)) fail(`the pickle reads memo slot ${i}, which was never written`)
    return memo.get(i) as PickleValue
  }
  const asKey = (k: PickleValue): PyKey => {
    if (
      k === null ||
      typeof k === 'string' ||
      typeof k === 'number' ||
      typeof k === 'bigint' ||
      typeof k === 'boolean'
    )
      return k
    return fail(`a dict key of type ${describe(k)} is not supported in a state dict`)
  }
  const setItems = (d: PickleValue, kv: PickleValue[]): void => {
    if (!(d instanceof PyDict)) fail(`SETITEM(S) on a ${describe(d)}, not a dict`)
    if (kv.length % 2) fail('SETITEMS with an odd number of items')
    for (let i = 0; i < kv.length; i += 2) (d as PyDict).map.set(asKey(kv[i]!), kv[i + 1]!)
  }
  const appendTo = (l: PickleValue, items: PickleValue[]): void => {
    if (!Array.isArray(l)) fail(`APPEND(S) on a ${describe(l)}, not a list`)
    ;(l as PickleValue[]).push(...items)
  }
  const signedLE = (raw: Uint8Array): number | bigint => {
    if (raw.length === 0) return 0
    let v = 0n
    for (let i = raw.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(raw[i]!)
    if (raw[raw.length - 1]! & 0x80) v -= 1n << BigInt(raw.length * 8)
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v
  }
  const global = (module: string, name: string): PickleValue => {
    const g = opts.resolveGlobal(module, name)
    if (!g)
      fail(
        `the pickle refers to ${module}.${name}, which is not part of a PyTorch state dict; refusing to load it ` +
          '(nothing was executed)',
      )
    return g as PickleValue
  }

  for (;;) {
    const at = pos
    const op = u8()
    switch (op) {
      case 0x80: // PROTO
        if (u8() > 5) fail('the pickle uses a protocol newer than 5')
        break
      case 0x95: // FRAME: a hint for buffered readers; the whole pickle is already in memory
        u64()
        break
      case 0x2e: // STOP
        if (stack.length !== 1) fail(`the pickle stops with ${stack.length} items on the stack, not 1`)
        return pop()
      case 0x7d: // EMPTY_DICT
        stack.push(new PyDict())
        break
      case 0x5d: // EMPTY_LIST
        stack.push([])
        break
      case 0x29: // EMPTY_TUPLE
        stack.push(new PyTuple([]))
        break
      case 0x28: // MARK
        stack.push(MARK)
        break
      case 0x74: // TUPLE
        stack.push(new PyTuple(popMark()))
        break
      case 0x85: // TUPLE1
        stack.push(new PyTuple([pop()]))
        break
      case 0x86: {
        // TUPLE2
        const b = pop()
        stack.push(new PyTuple([pop(), b]))
        break
      }
      case 0x87: {
        // TUPLE3
        const c = pop()
        const b = pop()
        stack.push(new PyTuple([pop(), b, c]))
        break
      }
      case 0x6c: // LIST
        stack.push(popMark())
        break
      case 0x64: {
        // DICT
        const d = new PyDict()
        setItems(d, popMark())
        stack.push(d)
        break
      }
      case 0x58: // BINUNICODE
        stack.push(str(u32()))
        break
      case 0x8c: // SHORT_BINUNICODE
        stack.push(str(u8()))
        break
      case 0x8d: // BINUNICODE8
        stack.push(str(u64()))
        break
      case 0x54: // BINSTRING (Python 2 str)
        stack.push(latin1.decode(take(u32())))
        break
      case 0x55: // SHORT_BINSTRING
        stack.push(latin1.decode(take(u8())))
        break
      case 0x42: // BINBYTES
        stack.push(take(u32()).slice())
        break
      case 0x43: // SHORT_BINBYTES
        stack.push(take(u8()).slice())
        break
      case 0x4a: // BININT
        need(4)
        stack.push(view.getInt32(pos, true))
        pos += 4
        break
      case 0x4b: // BININT1
        stack.push(u8())
        break
      case 0x4d: // BININT2
        stack.push(u16())
        break
      case 0x8a: // LONG1
        stack.push(signedLE(take(u8())))
        break
      case 0x8b: // LONG4
        stack.push(signedLE(take(u32())))
        break
      case 0x47: // BINFLOAT (big-endian double)
        need(8)
        stack.push(view.getFloat64(pos, false))
        pos += 8
        break
      case 0x4e: // NONE
        stack.push(null)
        break
      case 0x88: // NEWTRUE
        stack.push(true)
        break
      case 0x89: // NEWFALSE
        stack.push(false)
        break
      case 0x73: {
        // SETITEM
        const v = pop()
        const k = pop()
        setItems(top(), [k, v])
        break
      }
      case 0x75: {
        // SETITEMS
        const kv = popMark()
        setItems(top(), kv)
        break
      }
      case 0x61: {
        // APPEND
        const v = pop()
        appendTo(top(), [v])
        break
      }
      case 0x65: {
        // APPENDS
        const items = popMark()
        appendTo(top(), items)
        break
      }
      case 0x71: // BINPUT
        memo.set(u8(), top())
        break
      case 0x72: // LONG_BINPUT
        memo.set(u32(), top())
        break
      case 0x94: // MEMOIZE
        memo.set(memo.size, top())
        break
      case 0x68: // BINGET
        stack.push(memoGet(u8()))
        break
      case 0x6a: // LONG_BINGET
        stack.push(memoGet(u32()))
        break
      case 0x30: // POP
        if (stack.pop() === undefined) fail(`POP on an empty stack at byte ${at}`)
        break
      case 0x31: // POP_MARK
        popMark()
        break
      case 0x32: // DUP
        stack.push(top())
        break
      case 0x63: {
        // GLOBAL "module\nname\n"
        const module = line()
        stack.push(global(module, line()))
        break
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop()
        const module = pop()
        if (typeof module !== 'string' || typeof name !== 'string')
          fail(`STACK_GLOBAL without two strings at byte ${at}`)
        stack.push(global(module as string, name as string))
        break
      }
      case 0x52: {
        // REDUCE: callable(*args) — only whitelisted builders
        const args = pop()
        const fn = pop()
        if (!(fn instanceof PyCallable))
          fail(
            `the pickle calls ${describe(fn)}, which is not an allowed constructor; refusing (nothing was executed)`,
          )
        if (!(args instanceof PyTuple))
          fail(`REDUCE arguments at byte ${at} are a ${describe(args)}, not a tuple`)
        stack.push((fn as PyCallable).call((args as PyTuple).items))
        break
      }
      case 0x62: {
        // BUILD: only a dict's instance attributes (OrderedDict's `_metadata`)
        const state = pop()
        const obj = top()
        if (!(obj instanceof PyDict)) fail(`BUILD on a ${describe(obj)} is not supported in a state dict`)
        if (state instanceof PyDict) {
          for (const [k, v] of state.map) if (typeof k === 'string') (obj as PyDict).attrs.set(k, v)
        } else if (state !== null)
          fail(`BUILD with a ${describe(state)} state is not supported in a state dict`)
        break
      }
      case 0x51: // BINPERSID
        stack.push(opts.persistentLoad(pop()))
        break
      default: {
        const refused = REFUSED_OPCODES[op]
        if (refused) fail(`the pickle uses opcode ${refused} at byte ${at}; refusing (nothing was executed)`)
        fail(
          `the pickle uses opcode 0x${op.toString(16).padStart(2, '0')} at byte ${at}, which a state dict never needs`,
        )
      }
    }
  }
}

/** Short Python-ish type name for messages. */
export function describe(v: PickleValue | undefined): string {
  if (v === null) return 'None'
  if (v === undefined) return 'nothing'
  if (Array.isArray(v)) return 'list'
  if (v instanceof PyTuple) return 'tuple'
  if (v instanceof PyDict) return 'dict'
  if (v instanceof PyGlobal) return `${v.module}.${v.name}`
  if (v instanceof PyCallable) return v.qualifiedName
  if (v instanceof Uint8Array) return 'bytes'
  if (typeof v === 'object') return v.opaqueKind
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float'
  if (typeof v === 'bigint') return 'int'
  if (typeof v === 'boolean') return 'bool'
  return 'str'
}
