/**
 * Weight import from a tfjs model folder (what tensorflowjs_converter writes: model.json + group shards) or
 * from an http(s) URL of such a model.json. URLs are downloaded once into `cacheDir/<sha256(url)>/` (the
 * project's cache) and reused: the download goes into a temp folder next to it that is renamed only when
 * model.json and every shard are complete and their sizes match the manifest, so a failed or interrupted
 * download never leaves a cache entry behind. The weights then load by name into a ParamStore.
 */
import * as crypto from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import type { z } from 'zod'
import { fsyncDir } from '../../files/atomic-file'
import type { ParamStore } from './params'
import { applyWeights, loadNamedWeights, ModelJson, WeightsFileError } from './weights-io'
import { makeDirSync } from '../../files/make-dir'

const MODEL_FILE = 'model.json'

export interface ImportOptions {
  /** Load the weights by name into this store; without it only the folder is resolved (and downloaded). */
  into?: ParamStore
  /** Throw (before loading anything) when names do not match both ways. Default false: report them.
   *  Shape mismatches always throw before anything is loaded. */
  strict?: boolean
  /** For tests and proxies; default: Node's global fetch. */
  fetch?: typeof fetch
}

export interface ImportResult {
  /** The local folder the weights were read from (the cache entry for URLs). */
  dir: string
  /** True when a URL was served from the cache without any request. */
  fromCache: boolean
  loaded: string[]
  /** Parameters of the model the source has no weight for (left at their current values). */
  missing: string[]
  /** Weights in the source the model has no parameter for. */
  unused: string[]
  /** "unused weights: …; missing weights: …" or "" when every name matched. */
  mismatch: string
}

export function isUrl(source: string): boolean {
  return /^https?:\/\//i.test(source)
}

export function cacheKey(url: string): string {
  return crypto.createHash('sha256').update(url).digest('hex')
}

const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8 }
const QUANT_BYTES: Record<string, number> = { uint8: 1, uint16: 2, float16: 2 }

type Manifest = z.infer<typeof ModelJson>

/** Bytes each manifest group's shards must hold together, or null when it cannot be known (strings). */
function expectedGroupBytes(m: Manifest): Array<number | null> {
  return m.weightsManifest.map((g) => {
    let total = 0
    for (const w of g.weights) {
      const q = (w as { quantization?: { dtype?: string } }).quantization?.dtype
      const per = q !== undefined ? QUANT_BYTES[q] : DTYPE_BYTES[w.dtype]
      if (per === undefined) return null
      total += per * w.shape.reduce((a, b) => a * b, 1)
    }
    return total
  })
}

function parseManifest(text: string, where: string): Manifest {
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (e) {
    throw new WeightsFileError(where, `is not valid JSON (${e instanceof Error ? e.message : String(e)})`)
  }
  const parsed = ModelJson.safeParse(raw)
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    throw new WeightsFileError(where, `not a tfjs model.json (${issues.join('; ')})`)
  }
  return parsed.data
}

/** Checks each group's shards (as `sizeOf` reports them) against the byte count the manifest implies. */
function checkShardSizes(m: Manifest, where: (p: string) => string, sizeOf: (p: string) => number): void {
  const expected = expectedGroupBytes(m)
  m.weightsManifest.forEach((g, i) => {
    const want = expected[i]
    const sizes = g.paths.map((p) => sizeOf(p))
    const got = sizes.reduce((a, b) => a + b, 0)
    if (want !== null && want !== undefined && got !== want) {
      const list = g.paths.map((p, j) => `${where(p)} (${sizes[j]} bytes)`).join(', ')
      throw new WeightsFileError(
        where(g.paths[g.paths.length - 1] ?? MODEL_FILE),
        `weight group ${i + 1} needs ${want} bytes by its manifest but its shards hold ${got}: ${list}`,
      )
    }
  })
}

function checkLocalFolder(dir: string): void {
  const modelFile = path.join(dir, MODEL_FILE)
  let text: string
  try {
    text = fs.readFileSync(modelFile, 'utf8')
  } catch (e) {
    throw new WeightsFileError(modelFile, e instanceof Error ? e.message : String(e))
  }
  const m = parseManifest(text, modelFile)
  checkShardSizes(
    m,
    (p) => path.join(dir, p),
    (p) => {
      const f = path.join(dir, p)
      try {
        return fs.statSync(f).size
      } catch {
        throw new WeightsFileError(f, 'shard listed in model.json is missing')
      }
    },
  )
}

async function fetchBytes(f: typeof fetch, url: string): Promise<Uint8Array> {
  let res: Response
  try {
    res = await f(url)
  } catch (e) {
    const cause = e instanceof Error && e.cause instanceof Error ? ` (${e.cause.message})` : ''
    throw new WeightsFileError(url, `download failed: ${e instanceof Error ? e.message : String(e)}${cause}`)
  }
  if (!res.ok) {
    await res.body?.cancel()
    throw new WeightsFileError(url, `HTTP ${res.status} ${res.statusText}`.trim())
  }
  return new Uint8Array(await res.arrayBuffer())
}

function writeDurable(file: string, data: Uint8Array | string): void {
  const fd = fs.openSync(file, 'wx', 0o644)
  try {
    fs.writeFileSync(fd, data)
    fs.fsyncSync(fd)
  } finally {
    fs.closeSync(fd)
  }
}

/** Downloads model.json + shards into the cache (atomically), or returns the existing entry. */
async function fetchToCache(
  url: string,
  cacheDir: string,
  f: typeof fetch,
): Promise<{ dir: string; fromCache: boolean }> {
  const dir = path.join(cacheDir, cacheKey(url))
  if (fs.existsSync(path.join(dir, MODEL_FILE))) {
    checkLocalFolder(dir)
    return { dir, fromCache: true }
  }
  const text = new TextDecoder().decode(await fetchBytes(f, url))
  const m = parseManifest(text, url)
  // Shard paths are plain file names (the schema refuses '/', '..'), resolved next to model.json.
  const shardUrl = (p: string) => new URL(p, url).toString()
  const shards = new Map<string, Uint8Array>()
  for (const g of m.weightsManifest) {
    for (const p of g.paths) {
      if (!shards.has(p)) shards.set(p, await fetchBytes(f, shardUrl(p)))
    }
  }
  checkShardSizes(m, shardUrl, (p) => shards.get(p)?.byteLength ?? 0)

  makeDirSync(cacheDir)
  const tmp = fs.mkdtempSync(path.join(cacheDir, `.tmp-${cacheKey(url).slice(0, 12)}-`))
  try {
    for (const [p, bytes] of shards) writeDurable(path.join(tmp, p), bytes)
    // model.json last: a folder holding it is complete.
    writeDurable(path.join(tmp, MODEL_FILE), text)
    fsyncDir(tmp)
    try {
      fs.renameSync(tmp, dir)
    } catch (e) {
      // Another import of the same URL finished first: keep its entry.
      if (!fs.existsSync(path.join(dir, MODEL_FILE))) throw e
      fs.rmSync(tmp, { recursive: true, force: true })
    }
    fsyncDir(cacheDir)
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true })
    throw e
  }
  return { dir, fromCache: false }
}

function mismatchText(unused: string[], missing: string[]): string {
  const list = (ns: string[]) =>
    `${ns.slice(0, 8).join(', ')}${ns.length > 8 ? `, … (${ns.length} in all)` : ''}`
  const parts: string[] = []
  if (unused.length) parts.push(`unused weights: ${list(unused)}`)
  if (missing.length) parts.push(`missing weights: ${list(missing)}`)
  return parts.join('; ')
}

/**
 * Resolves `source` (a local folder or model.json path, or an http(s) URL of a model.json) to a local
 * folder, downloading URLs into `cacheDir` once, and with `opts.into` loads the weights by name.
 * Shape mismatches throw before any parameter is changed.
 */
export async function importWeights(
  source: string,
  cacheDir: string,
  opts: ImportOptions = {},
): Promise<ImportResult> {
  let dir: string
  let fromCache = false
  if (isUrl(source)) {
    ;({ dir, fromCache } = await fetchToCache(source, cacheDir, opts.fetch ?? fetch))
  } else {
    const abs = path.resolve(source)
    dir = path.basename(abs) === MODEL_FILE ? path.dirname(abs) : abs
    checkLocalFolder(dir)
  }
  const result: ImportResult = { dir, fromCache, loaded: [], missing: [], unused: [], mismatch: '' }
  const into = opts.into
  if (!into) return result

  const { tensors } = await loadNamedWeights(dir)
  try {
    const known = new Set(into.names())
    for (const [name, t] of Object.entries(tensors)) {
      if (!known.has(name)) continue
      const want = into.variable(name).shape
      if (want.join() !== t.shape.join()) {
        throw new WeightsFileError(
          isUrl(source) ? source : path.join(dir, MODEL_FILE),
          `weight '${name}' has shape [${t.shape}] but the model expects [${want}]; nothing was loaded`,
        )
      }
    }
    const unused = Object.keys(tensors).filter((n) => !known.has(n))
    const missing = [...known].filter((n) => !(n in tensors))
    result.mismatch = mismatchText(unused, missing)
    if (opts.strict && result.mismatch) {
      throw new WeightsFileError(
        isUrl(source) ? source : path.join(dir, MODEL_FILE),
        `${result.mismatch}; nothing was loaded`,
      )
    }
    const r = applyWeights(into, tensors, false)
    result.loaded = r.loaded
    result.missing = r.missing
    result.unused = r.unexpected
  } finally {
    tf.dispose(Object.values(tensors))
  }
  return result
}
