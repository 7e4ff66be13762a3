/**
 * Reads a PyTorch checkpoint written by `torch.save` (the zip format of PyTorch ≥ 1.6: `<archive>/data.pkl`,
 * a pickle of the state dict whose tensors point by key at raw storages `<archive>/data/<key>`) into a
 * `StateDict`. All or nothing: sizes, the pickle and every tensor view are checked before any storage is
 * read, and the result is returned only when every tensor was read; errors name the file and the problem.
 */
import { open, stat } from 'node:fs/promises'
import { describe, PickleError, PyDict, unpickle, type PickleValue } from './pickle'
import { numel, type StateDict, type TorchTensor } from './state-dict'
import { DTYPE_BYTES, gatherView, viewProblem } from './tensor-bytes'
import { isTensorRef, storageLoader, torchGlobals, type StorageRef, type TensorRef } from './torch-globals'
import { ZipArchive } from './zip-archive'

export class TorchCheckpointError extends Error {
  override name = 'TorchCheckpointError'
}

export interface ReadPthOptions {
  /** Refuse files larger than this (bytes). Default 1 GiB: ResNet-101 DeepLabV3 is 0.24 GB. */
  maxFileBytes?: number
  /** Refuse state dicts whose storages declare more than this many bytes in all. Default 1 GiB. */
  maxTensorBytes?: number
}

export interface PthInfo {
  file: string
  fileBytes: number
  /** The archive folder inside the zip (torch uses the file's stem or `archive`). */
  archive: string
  byteorder: 'little' | 'big'
  /** The key of the checkpoint dict that held the state dict (`state_dict`, `model`, …), or null. */
  wrappedIn: string | null
  /** `module.` when every key had it (a DataParallel model), or null. */
  strippedPrefix: string | null
  /** Bytes of the storages the state dict uses. */
  tensorBytes: number
}

export const DEFAULT_MAX_PTH_BYTES = 1024 ** 3

/** Checkpoint dict keys that commonly hold the state dict, in the order they are tried. */
const WRAPPER_KEYS = [
  'state_dict',
  'model_state_dict',
  'model',
  'state',
  'net',
  'network',
  'module',
  'weights',
  'params',
]

/** The pickle itself is small (names and shapes); a huge one is not a state dict. */
const MAX_PICKLE_BYTES = 64 * 1024 ** 2

const LEGACY_MAGIC = Buffer.from([
  0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19,
])

const RESAVE_HINT =
  're-save it with a current PyTorch: torch.save(torch.load(OLD), NEW, _use_new_zipfile_serialization=True)'

function formatBytes(n: number): string {
  return n >= 1e9 ? `${(n / 1e9).toFixed(2)} GB` : `${(n / 1e6).toFixed(1)} MB`
}

export async function readPth(
  file: string,
  opts: ReadPthOptions = {},
): Promise<{ stateDict: StateDict; info: PthInfo }> {
  const maxFile = opts.maxFileBytes ?? DEFAULT_MAX_PTH_BYTES
  const maxTensor = opts.maxTensorBytes ?? DEFAULT_MAX_PTH_BYTES
  const fail = (msg: string): never => {
    throw new TorchCheckpointError(`${file}: ${msg}`)
  }

  let size: number
  try {
    const st = await stat(file)
    if (!st.isFile()) fail('is not a file')
    size = st.size
  } catch (e) {
    if (e instanceof TorchCheckpointError) throw e
    return fail(`cannot be read (${(e as Error).message})`)
  }
  if (size > maxFile)
    fail(`is ${formatBytes(size)}; the limit for a checkpoint is ${formatBytes(maxFile)}, so it was not read`)
  await checkMagic(file, size, fail)

  let zip: ZipArchive
  try {
    zip = await ZipArchive.open(file)
  } catch (e) {
    return fail(
      `the zip archive is damaged or truncated (${(e as Error).message}); download or save it again`,
    )
  }
  try {
    return await readFromZip(zip, file, size, maxTensor, fail)
  } catch (e) {
    if (e instanceof TorchCheckpointError) throw e
    if (e instanceof PickleError) throw new TorchCheckpointError(e.message)
    // A TypeError is a bug here, not a property of the file: let it surface as itself.
    if (e instanceof TypeError) throw e
    return fail(
      `the zip archive is damaged or truncated (${(e as Error).message}); download or save it again`,
    )
  } finally {
    zip.close()
  }
}

/** Tells a legacy (pre-1.6) checkpoint or some other file from a zip before yauzl looks at it. */
async function checkMagic(file: string, size: number, fail: (m: string) => never): Promise<void> {
  const head = Buffer.alloc(Math.min(size, 512))
  const fh = await open(file, 'r')
  try {
    await fh.read(head, 0, head.length, 0)
  } finally {
    await fh.close()
  }
  if (head.length >= 4 && head.readUInt32LE(0) === 0x04034b50) return // "PK\3\4"
  // Legacy torch.save: pickles back to back, the first being torch's magic number
  // 0x1950a86a20f9469cfc6c (PROTO 2, LONG1 of 10 bytes), or an even older tar.
  if (head.subarray(0, 14).equals(LEGACY_MAGIC) || head.subarray(257, 262).toString('latin1') === 'ustar')
    fail(`is in PyTorch's legacy (pre-1.6) format, which is not supported; ${RESAVE_HINT}`)
  if (head[0] === 0x80)
    fail(`is a bare Python pickle, not a torch.save checkpoint; if torch.save wrote it, ${RESAVE_HINT}`)
  fail('is not a PyTorch checkpoint (not a zip archive written by torch.save)')
}

async function readFromZip(
  zip: ZipArchive,
  file: string,
  fileBytes: number,
  maxTensor: number,
  fail: (m: string) => never,
): Promise<{ stateDict: StateDict; info: PthInfo }> {
  const pkl = [...zip.entries.keys()].filter((n) => /^[^/]+\/data\.pkl$/.test(n))
  if (pkl.length !== 1)
    fail(
      pkl.length
        ? `holds ${pkl.length} pickles (${pkl.join(', ')}); expected one <archive>/data.pkl`
        : 'is a zip archive but holds no <archive>/data.pkl, so it was not written by torch.save',
    )
  const archive = pkl[0]!.slice(0, -'/data.pkl'.length)

  let byteorder: 'little' | 'big' = 'little'
  const order = zip.entries.get(`${archive}/byteorder`)
  if (order) {
    if (order.size > 16) fail(`its byteorder entry is ${order.size} bytes, not 'little' or 'big'`)
    const s = Buffer.from(await zip.read(`${archive}/byteorder`))
      .toString('latin1')
      .trim()
    if (s !== 'little' && s !== 'big') fail(`declares byte order '${s}'`)
    byteorder = s as 'little' | 'big'
  }

  const pklSize = zip.entries.get(pkl[0]!)!.size
  if (pklSize > MAX_PICKLE_BYTES)
    fail(`its pickle is ${formatBytes(pklSize)}, far more than a state dict needs`)
  const root = unpickle(await zip.read(pkl[0]!), {
    file,
    resolveGlobal: torchGlobals(fail),
    persistentLoad: storageLoader(fail),
  })

  const { dict, wrappedIn } = findStateDict(root, fail)
  const names = [...dict.map.keys()] as string[]
  const strippedPrefix = names.every((n) => n.startsWith('module.')) ? 'module.' : null

  // Check every view and the total size before reading any storage.
  const storages = new Map<string, StorageRef>()
  for (const [name, ref] of dict.map as Map<string, TensorRef>) {
    const problem = viewProblem({ ...ref, dtype: ref.storage.dtype, storageNumel: ref.storage.numel })
    if (problem) fail(`tensor ${name} ${problem}`)
    storages.set(ref.storage.key, ref.storage)
  }
  let tensorBytes = 0
  for (const s of storages.values()) tensorBytes += s.numel * DTYPE_BYTES[s.dtype]
  if (tensorBytes > maxTensor)
    fail(
      `its tensors declare ${formatBytes(tensorBytes)} of storage; the limit is ${formatBytes(maxTensor)}, so none was read`,
    )
  for (const s of storages.values()) {
    const entry = zip.entries.get(`${archive}/data/${s.key}`)
    const need = s.numel * DTYPE_BYTES[s.dtype]
    if (!entry) fail(`storage ${s.key} is missing from the archive (no ${archive}/data/${s.key})`)
    // torch.save writes exactly numel × element size; anything else is damage (or a bomb declaring more).
    if (entry!.size !== need)
      fail(`storage ${s.key} holds ${entry!.size} bytes but its ${s.numel} ${s.dtype} elements need ${need}`)
  }

  // Read storage by storage (in key order, the order torch wrote them), gathering every view of each.
  const byStorage = new Map<string, [string, TensorRef][]>()
  for (const [name, ref] of dict.map as Map<string, TensorRef>) {
    const list = byStorage.get(ref.storage.key) ?? []
    list.push([name, ref])
    byStorage.set(ref.storage.key, list)
  }
  const tensors = new Map<string, TorchTensor>()
  for (const [key, views] of byStorage) {
    const bytes = await zip.read(`${archive}/data/${key}`)
    for (const [name, ref] of views) {
      const spec = { ...ref, dtype: ref.storage.dtype, storageNumel: ref.storage.numel }
      tensors.set(name, {
        dtype: ref.storage.dtype,
        shape: [...ref.shape],
        data: gatherView(bytes, spec, byteorder === 'little'),
      })
    }
  }
  // Keep the pickle's (state-dict) order.
  const stateDict: StateDict = new Map()
  for (const name of names) {
    const t = tensors.get(name)!
    if (t.data.length !== numel(t.shape))
      fail(`tensor ${name} came out with ${t.data.length} values for shape [${t.shape}]`)
    stateDict.set(strippedPrefix ? name.slice(strippedPrefix.length) : name, t)
  }
  return {
    stateDict,
    info: { file, fileBytes, archive, byteorder, wrappedIn, strippedPrefix, tensorBytes },
  }
}

/** A non-empty dict of name → tensor (a boolean, not a type guard: a false result says nothing of the type). */
function isTensorDict(v: PickleValue | undefined): boolean {
  if (!(v instanceof PyDict) || v.map.size === 0) return false
  for (const [k, x] of v.map) if (typeof k !== 'string' || !isTensorRef(x)) return false
  return true
}

/** The state dict itself, or the one a checkpoint dict wraps (`{'state_dict': …, 'epoch': …}`). */
function findStateDict(
  root: PickleValue,
  fail: (m: string) => never,
): { dict: PyDict; wrappedIn: string | null } {
  if (!(root instanceof PyDict))
    return fail(`holds a ${describe(root)}, not a state dict (a mapping of parameter names to tensors)`)
  if (isTensorDict(root)) return { dict: root, wrappedIn: null }
  for (const key of WRAPPER_KEYS) {
    const v = root.map.get(key)
    if (isTensorDict(v)) return { dict: v as PyDict, wrappedIn: key }
  }
  const candidates = [...root.map].filter(([, v]) => isTensorDict(v))
  if (candidates.length === 1)
    return { dict: candidates[0]![1] as PyDict, wrappedIn: String(candidates[0]![0]) }
  const keys = [...root.map.keys()].slice(0, 8).map(String)
  const tensorCount = [...root.map.values()].filter((v) => isTensorRef(v)).length
  if (tensorCount > 0) {
    const [badKey, bad] = [...root.map].find(([, v]) => !isTensorRef(v))!
    return fail(`is not a state dict: its entry '${String(badKey)}' holds a ${describe(bad)}, not a tensor`)
  }
  return fail(
    root.map.size === 0
      ? 'holds an empty dict, not a state dict'
      : `holds a dict with keys ${keys.join(', ')}${root.map.size > 8 ? ', …' : ''} but no state dict ` +
          `(looked at the top level and under ${WRAPPER_KEYS.map((k) => `'${k}'`).join(', ')} for a mapping of names to tensors)`,
  )
}
