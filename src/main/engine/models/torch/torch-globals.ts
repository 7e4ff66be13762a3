/**
 * The only Python globals a `.pth` state dict may name, each mapped to an inert builder: tensors become
 * `TensorRef`s (a view into a storage that is read later, after size checks), storages become `StorageRef`s.
 * Everything else is refused by the unpickler with the global's name.
 */
import { describe, PyCallable, PyDict, PyGlobal, PyTuple, type PickleValue, type PyOpaque } from './pickle'
import type { TorchDType } from './state-dict'
import { STORAGE_DTYPES } from './tensor-bytes'

export interface StorageRef extends PyOpaque {
  readonly opaqueKind: 'storage'
  /** The zip entry `<archive>/data/<key>`. */
  readonly key: string
  readonly dtype: TorchDType
  /** Length in elements. */
  readonly numel: number
  readonly location: string
}

export interface TensorRef extends PyOpaque {
  readonly opaqueKind: 'tensor'
  readonly storage: StorageRef
  readonly offset: number
  readonly shape: number[]
  readonly stride: number[]
}

export function isTensorRef(v: PickleValue | undefined): v is TensorRef {
  return typeof v === 'object' && v !== null && 'opaqueKind' in v && v.opaqueKind === 'tensor'
}

function isStorageRef(v: PickleValue | undefined): v is StorageRef {
  return typeof v === 'object' && v !== null && 'opaqueKind' in v && v.opaqueKind === 'storage'
}

type Fail = (msg: string) => never

function intTuple(v: PickleValue | undefined, what: string, fail: Fail): number[] {
  if (!(v instanceof PyTuple)) return fail(`a tensor's ${what} is a ${describe(v)}, not a tuple`)
  return v.items.map((x) => {
    if (typeof x !== 'number' || !Number.isSafeInteger(x))
      return fail(`a tensor's ${what} holds ${String(x)}`)
    return x
  })
}

function intArg(v: PickleValue | undefined, what: string, fail: Fail): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v))
    return fail(`a tensor's ${what} is ${describe(v)} ${String(v)}`)
  return v
}

function rebuildTensor(args: PickleValue[], fail: Fail): TensorRef {
  const storage = args[0]
  if (!isStorageRef(storage)) return fail(`a tensor is rebuilt from a ${describe(storage)}, not a storage`)
  return {
    opaqueKind: 'tensor',
    storage,
    offset: intArg(args[1], 'storage offset', fail),
    shape: intTuple(args[2], 'size', fail),
    stride: intTuple(args[3], 'stride', fail),
  }
}

/** The whitelist, bound to one file for its messages. */
export function torchGlobals(
  fail: Fail,
): (module: string, name: string) => PyGlobal | PyCallable | undefined {
  return (module, name) => {
    if (module === 'collections' && name === 'OrderedDict')
      return new PyCallable('collections.OrderedDict', (args) => {
        const d = new PyDict()
        // OrderedDict() or OrderedDict([(k, v), …])
        const items = args[0]
        if (Array.isArray(items))
          for (const it of items) {
            if (!(it instanceof PyTuple) || it.items.length !== 2 || typeof it.items[0] !== 'string')
              fail('OrderedDict built from something other than (name, value) pairs')
            const pair = (it as PyTuple).items
            d.map.set(pair[0] as string, pair[1]!)
          }
        else if (items !== undefined) fail(`OrderedDict built from a ${describe(items)}`)
        return d
      })
    if (module === 'torch._utils') {
      // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
      if (name === '_rebuild_tensor_v2' || name === '_rebuild_tensor')
        return new PyCallable(`torch._utils.${name}`, (args) => rebuildTensor(args, fail))
      // (data, requires_grad, backward_hooks[, state]): a Parameter is its tensor here.
      if (name === '_rebuild_parameter' || name === '_rebuild_parameter_with_state')
        return new PyCallable(`torch._utils.${name}`, (args) => {
          if (!isTensorRef(args[0])) fail(`a Parameter wraps a ${describe(args[0])}, not a tensor`)
          return args[0]!
        })
      return undefined
    }
    if (module === 'torch' && STORAGE_DTYPES[name]) return new PyGlobal(module, name)
    // torch.device('cpu') — appears in some checkpoints' metadata; kept as its string.
    if (module === 'torch' && name === 'device')
      return new PyCallable('torch.device', (args) => (typeof args[0] === 'string' ? args[0] : 'device'))
    return undefined
  }
}

/** BINPERSID ('storage', torch.XStorage, key, location, numel) → a StorageRef (same key → same object). */
export function storageLoader(fail: Fail): (pid: PickleValue) => StorageRef {
  const seen = new Map<string, StorageRef>()
  return (pid) => {
    if (!(pid instanceof PyTuple) || pid.items[0] !== 'storage' || pid.items.length < 5)
      return fail(`a persistent id is ${describe(pid)}, not a torch storage reference`)
    const [, type, key, location, numel] = pid.items
    if (!(type instanceof PyGlobal) || type.module !== 'torch' || !STORAGE_DTYPES[type.name])
      return fail(`a storage has type ${describe(type)}, not one of torch's storage types`)
    if (typeof key !== 'string' || !/^[\w.-]+$/.test(key))
      return fail(`a storage key is ${describe(key)} ${String(key)}`)
    if (typeof numel !== 'number' || !Number.isSafeInteger(numel) || numel < 0)
      return fail(`storage ${key} declares ${String(numel)} elements`)
    const prev = seen.get(key)
    if (prev) return prev
    const ref: StorageRef = {
      opaqueKind: 'storage',
      key,
      dtype: STORAGE_DTYPES[type.name]!,
      numel,
      location: typeof location === 'string' ? location : 'cpu',
    }
    seen.set(key, ref)
    return ref
  }
}
