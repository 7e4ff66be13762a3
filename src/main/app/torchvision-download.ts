/**
 * "Get torchvision model": a job that downloads one of torchvision's published VOC-class checkpoints
 * (src/shared/torchvision-models.ts), streamed to a temp file with byte progress in the jobs drawer,
 * checks the file's sha256 against the prefix its published name carries, and adds it like a chosen file
 * (source-models-handlers.ts addSourceModel: every check, nothing half-imported). The temp file is removed
 * whatever happens, so a cancelled, failed or refused download leaves the project as it was.
 *
 * The base URL is read here, in the main process, from env PSS_TORCHVISION_BASE_URL (tests serve a file
 * from loopback); the renderer only names a file of the fixed list.
 */
import fs from 'node:fs'
import http from 'node:http'
import https from 'node:https'
import type { LookupFunction } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { pipeline } from 'node:stream/promises'
import { Transform } from 'node:stream'
import { SOURCE_MODEL_ADDED, type SourceModel } from '../../shared/source-models'
import {
  shaPrefixOfName,
  TORCHVISION_CHECKPOINTS,
  type TorchvisionFile,
} from '../../shared/torchvision-models'
import type { JobRecord } from '../../shared/domain'
import { sha256File } from '../engine/api'
import { diskFullError, isDiskFull } from '../files/disk-full'
import type { JobContext } from '../jobs/job-queue'
import { ConflictError, InvalidInputError, NotFoundError, StoreIoError } from '../project/errors'
import type { Project } from '../project/project'
import { SourceModelsRepo } from '../project/source-models-repo'
import type { HandlerContext, HandlerGroup } from './handler-context'
import { addSourceModel, MAX_SOURCE_MODEL_BYTES } from './source-models-handlers'

export const DEFAULT_TORCHVISION_BASE_URL = 'https://download.pytorch.org/models/'
/** Env var that replaces the base URL (a mirror, or a loopback server in tests). Main process only. */
export const BASE_URL_ENV = 'PSS_TORCHVISION_BASE_URL'
export const DOWNLOAD_QUEUE = 'download'
export const DOWNLOAD_JOB_KIND = 'download-model'
/** A server silent this long (connecting or mid-file) is given up on. */
const IDLE_TIMEOUT_MS = 30_000
const MAX_REDIRECTS = 5

/** Node's errno codes that mean the server could not be reached at all (offline, DNS, firewall). */
const UNREACHABLE = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'ETIMEDOUT',
  'ECONNRESET',
  'EPROTO',
  'CERT_HAS_EXPIRED',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
])

export function torchvisionBaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  const v = env[BASE_URL_ENV]?.trim()
  if (!v) return DEFAULT_TORCHVISION_BASE_URL
  if (!/^https?:\/\//.test(v)) throw new InvalidInputError(`${BASE_URL_ENV}=${v} is not an http(s) URL`)
  return v.endsWith('/') ? v : `${v}/`
}

/** A download that failed for a reason worth naming (network, HTTP status, size, sha256). */
export class DownloadError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'DownloadError'
  }
}

/** "cannot reach download.pytorch.org (getaddrinfo ENOTFOUND download.pytorch.org)": offline, DNS, refused. */
export function unreachableMessage(url: string, err: unknown): string {
  const host = new URL(url).host
  const why =
    err instanceof Error ? err.message || (err as NodeJS.ErrnoException).code || err.name : String(err)
  return `cannot reach ${host} (${why}); check the network connection, or add a .pth you already have`
}

function errnoCode(e: unknown): string | undefined {
  const c = (e as { code?: unknown } | null)?.code
  return typeof c === 'string' ? c : undefined
}

export interface FetchOptions {
  signal: AbortSignal
  /** Bytes so far and the announced length (null when the server does not say). */
  progress(done: number, total: number | null): void
  /** Largest file accepted (a bigger announced length is refused before anything is written). */
  maxBytes: number
  /** DNS lookup override (tests make the default host unresolvable without the network). */
  lookup?: LookupFunction
}

function get(url: string, opts: FetchOptions): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const mod = url.startsWith('https:') ? https : http
    const req = mod.get(
      url,
      { signal: opts.signal, timeout: IDLE_TIMEOUT_MS, ...(opts.lookup ? { lookup: opts.lookup } : {}) },
      resolve,
    )
    req.on('timeout', () =>
      req.destroy(
        Object.assign(new Error(`no answer in ${IDLE_TIMEOUT_MS / 1000} s`), { code: 'ETIMEDOUT' }),
      ),
    )
    req.on('error', reject)
  })
}

/**
 * Streams `url` into `target` (a path in a folder of the caller's own), following redirects. Throws DownloadError for
 * the network, an HTTP refusal, a length over `maxBytes` or a file cut short; a DiskFullError naming `target`
 * when the disk fills; the AbortError of `signal` when cancelled. A partial `target` is the caller's to remove.
 */
export async function fetchToFile(url: string, target: string, opts: FetchOptions): Promise<number> {
  let res: http.IncomingMessage
  let where = url
  for (let hops = 0; ; hops++) {
    try {
      res = await get(where, opts)
    } catch (e) {
      if (opts.signal.aborted) throw e
      throw new DownloadError(
        UNREACHABLE.has(errnoCode(e) ?? '')
          ? unreachableMessage(where, e)
          : `${where}: ${(e as Error).message}`,
      )
    }
    const status = res.statusCode ?? 0
    if (status >= 300 && status < 400 && res.headers.location && hops < MAX_REDIRECTS) {
      res.resume()
      where = new URL(res.headers.location, where).toString()
      continue
    }
    if (status !== 200) {
      res.resume()
      throw new DownloadError(
        `${where} answered HTTP ${status}${res.statusMessage ? ` ${res.statusMessage}` : ''}; nothing was added`,
      )
    }
    break
  }
  const announced = Number(res.headers['content-length'])
  const total = Number.isFinite(announced) && announced > 0 ? announced : null
  if (total !== null && total > opts.maxBytes) {
    res.destroy()
    throw new DownloadError(
      `${where} is ${(total / 1e9).toFixed(2)} GB, over the ${(opts.maxBytes / 1e9).toFixed(2)} GB a source model may have`,
    )
  }
  let done = 0
  const count = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      done += chunk.length
      if (done > opts.maxBytes) {
        cb(
          new DownloadError(
            `${where} sent more than ${(opts.maxBytes / 1e9).toFixed(2)} GB; the download was stopped`,
          ),
        )
        return
      }
      opts.progress(done, total)
      cb(null, chunk)
    },
  })
  try {
    // 'w', not 'wx': the caller's target is in a fresh mkdtemp folder (and tests aim it at /dev/full).
    await pipeline(res, count, fs.createWriteStream(target, { flags: 'w' }), { signal: opts.signal })
  } catch (e) {
    if (opts.signal.aborted || e instanceof DownloadError) throw e
    if (isDiskFull(e)) throw diskFullError(e, target)
    // The socket broke mid-file (server gone, network dropped).
    throw new DownloadError(
      `the download of ${where} broke off after ${(done / 1e6).toFixed(1)} MB (${(e as Error).message}); nothing was added`,
    )
  }
  if (total !== null && done !== total) {
    throw new DownloadError(
      `the download of ${where} ended after ${done} of ${total} bytes; nothing was added`,
    )
  }
  return done
}

export interface DownloadCheckpointOptions extends Omit<FetchOptions, 'maxBytes'> {
  baseUrl: string
}

/**
 * Downloads `file` from `baseUrl` into a temp folder, checks its sha256 against the prefix in its name, and
 * adds it to the project (provenance: the URL). The temp folder is removed in every case.
 */
export async function downloadCheckpoint(
  project: Project,
  file: string,
  opts: DownloadCheckpointOptions,
): Promise<SourceModel> {
  const prefix = shaPrefixOfName(file)
  if (prefix === null)
    throw new InvalidInputError(
      `${file} carries no sha256 prefix in its name; only published checkpoints are downloaded`,
    )
  const url = new URL(file, opts.baseUrl).toString()
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pss-download-'))
  const target = path.join(dir, file)
  try {
    await fetchToFile(url, target, { ...opts, maxBytes: MAX_SOURCE_MODEL_BYTES })
    const sha256 = await sha256File(target)
    if (!sha256.startsWith(prefix)) {
      throw new DownloadError(
        `${url}: the file's sha256 begins ${sha256.slice(0, prefix.length)}, but its published name says ${prefix}; ` +
          'it is not the published checkpoint (a proxy or mirror changed it) and was not added',
      )
    }
    return await addSourceModel(
      project,
      { path: target, name: file.replace(/\.pth$/, '') },
      { originalPath: url },
    )
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

/** The catalogue entry of `file`; NOT_FOUND for a name not on the list (the schema already refuses those). */
function entryOf(file: string): (typeof TORCHVISION_CHECKPOINTS)[number] {
  const e = TORCHVISION_CHECKPOINTS.find((c) => c.file === file)
  if (!e) throw new NotFoundError(`${file} is not one of torchvision's published VOC-class checkpoints`)
  return e
}

/** Queues the download job of `file`; refuses at once when the project is read-only or already holds it. */
export function startTorchvisionDownload(
  ctx: HandlerContext,
  file: TorchvisionFile,
  env: NodeJS.ProcessEnv = process.env,
): JobRecord {
  const project = ctx.project()
  const entry = entryOf(file)
  if (project.readOnly !== null)
    throw new StoreIoError(`cannot add a source model to ${project.root}: ${project.readOnly}`)
  const prefix = shaPrefixOfName(entry.file)!
  const held = new SourceModelsRepo(project.db, project.paths)
    .list()
    .find((m) => m.sha256.startsWith(prefix) && m.arch === entry.arch)
  if (held)
    throw new ConflictError(
      `${entry.file} is already in the project as source model #${held.id} "${held.name}"; nothing to download`,
    )
  const baseUrl = torchvisionBaseUrl(env)
  return ctx.jobs().enqueue(
    {
      kind: DOWNLOAD_JOB_KIND,
      title: `Download ${entry.title} (${entry.file})`,
      args: { file: entry.file },
      queue: DOWNLOAD_QUEUE,
    },
    async (job: JobContext) => {
      job.progress({ done: 0, total: 0, unit: 'bytes', message: `connecting to ${new URL(baseUrl).host}…` })
      const model = await downloadCheckpoint(project, entry.file, {
        baseUrl,
        signal: job.signal,
        progress: (done, total) =>
          job.progress({
            done,
            total: total ?? 0,
            unit: 'bytes',
            message: total ? `${mb(done)} of ${mb(total)} MB` : `${mb(done)} MB`,
          }),
      })
      ctx.emit('library', { reason: SOURCE_MODEL_ADDED })
      return model
    },
  )
}

const mb = (bytes: number): string => (bytes / 1e6).toFixed(1)

export function torchvisionDownloadHandlers(ctx: HandlerContext): HandlerGroup<'downloadTorchvisionModel'> {
  return {
    downloadTorchvisionModel: (args) => ({ jobId: startTorchvisionDownload(ctx, args.file).id }),
  }
}
