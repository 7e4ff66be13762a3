/**
 * The one API contract between the renderer (untrusted) and the studio core.
 *
 * Every method takes exactly one argument object, validated at the door with the zod schema below,
 * and returns a Promise of the result type. The three doors (Electron IPC via named preload
 * functions, the browser-mode HTTP server, direct calls from the CLI/tests) all dispatch through
 * `dispatchApi` in src/main/app, so validation cannot be skipped by one door and not another.
 *
 * No Node or DOM imports here: this file is bundled into main, preload and renderer.
 */
import { z } from 'zod'
import type {
  Album,
  AppInfo,
  ImageDetail,
  ImagePage,
  JobRecord,
  ProjectInfo,
  RecentProject,
  SourceDataset,
  StartedJob,
} from './domain'

export * from './domain'

// ---------- argument schemas ----------

/** An absolute or relative file-system path given by the user; resolved and checked by main. */
const userPath = z
  .string()
  .min(1, 'path is empty')
  .max(4096, 'path is longer than 4096 characters')
  .refine((p) => !p.includes('\0'), 'path contains a NUL byte')

const id = z.number().int().positive()
const name = z
  .string()
  .trim()
  .min(1, 'name is empty')
  .max(200, 'name is longer than 200 characters')
  // eslint-disable-next-line no-control-regex -- rejecting control characters is the point
  .refine((s) => !/[\u0000-\u001f]/.test(s), 'name contains control characters')

export const ImageFilter = z.enum(['all', 'masked', 'unmasked', 'validation', 'train'])
export const ImageSort = z.enum(['name', 'imported', 'cluster'])

export const apiSchemas = {
  /** Version, mode (electron/browser/cli), capabilities, the open project. */
  appInfo: z.object({}).strict(),
  recentProjects: z.object({}).strict(),
  /** Creates a new project folder (must be empty or absent) and opens it. */
  createProject: z.object({ path: userPath, name: name.optional() }).strict(),
  openProject: z.object({ path: userPath }).strict(),
  closeProject: z.object({}).strict(),
  /** Native folder picker (Electron only; appInfo.capabilities.pickDirectory says if available). */
  pickDirectory: z.object({ title: z.string().max(200).optional() }).strict(),

  listAlbums: z.object({}).strict(),
  listSources: z.object({}).strict(),
  renameAlbum: z.object({ albumId: id, name }).strict(),
  deleteAlbum: z.object({ albumId: id }).strict(),
  /** One page of the thumbnail grid: images of an album or of a source dataset. */
  listImages: z
    .object({
      albumId: id.optional(),
      sourceId: id.optional(),
      offset: z.number().int().min(0).default(0),
      limit: z.number().int().min(1).max(1000).default(200),
      filter: ImageFilter.default('all'),
      sort: ImageSort.default('name'),
      search: z.string().max(200).optional(),
    })
    .strict()
    .refine((a) => (a.albumId === undefined) !== (a.sourceId === undefined), {
      message: 'give exactly one of albumId or sourceId',
    }),
  getImage: z.object({ imageId: id }).strict(),
  /** Replaces an image's image-level tags (VOC class ids 1–20; background is implicit). */
  setImageTags: z
    .object({ imageId: id, tags: z.array(z.number().int().min(1).max(20)).max(20) })
    .strict(),

  /** Imports a folder of photos as a new album (a background job). */
  importFolder: z
    .object({ dir: userPath, albumName: name, copy: z.boolean().default(true), recursive: z.boolean().default(false) })
    .strict(),
  /** Imports a PIS root (`personal/id{k}/…` or the folder that holds `personal/`). */
  importPis: z.object({ root: userPath, copy: z.boolean().default(true) }).strict(),
  /** Imports a VOC-format source dataset (VOCdevkit/VOC2012 or the folder that holds it). */
  importVoc: z.object({ root: userPath, name: name.optional(), copy: z.boolean().default(false) }).strict(),

  listJobs: z.object({ limit: z.number().int().min(1).max(500).default(50) }).strict(),
  getJob: z.object({ jobId: id }).strict(),
  cancelJob: z.object({ jobId: id }).strict(),

  // ---------- runs, metrics and results (src/main/app/runs-handlers.ts) ----------

  // ---------- clustering (src/main/app/clustering-handlers.ts) ----------

  // ---------- annotation: splits, masks, export (src/main/app/annotation-handlers.ts) ----------
} as const

export type ApiMethod = keyof typeof apiSchemas
export type ApiArgs<M extends ApiMethod> = z.input<(typeof apiSchemas)[M]>
export type ApiParsedArgs<M extends ApiMethod> = z.output<(typeof apiSchemas)[M]>

/** Result type of each method. */
export interface ApiResults {
  appInfo: AppInfo
  recentProjects: RecentProject[]
  createProject: ProjectInfo
  openProject: ProjectInfo
  closeProject: { closed: boolean }
  pickDirectory: { path: string | null }
  listAlbums: Album[]
  listSources: SourceDataset[]
  renameAlbum: Album
  deleteAlbum: { deleted: boolean }
  listImages: ImagePage
  getImage: ImageDetail
  setImageTags: ImageDetail
  importFolder: StartedJob
  importPis: StartedJob
  importVoc: StartedJob
  listJobs: JobRecord[]
  getJob: JobRecord
  cancelJob: JobRecord

  // ---------- runs, metrics and results ----------

  // ---------- clustering ----------

  // ---------- annotation ----------
}

/** The façade every door exposes. Arguments are the *input* shape (defaults optional). */
export type StudioApi = {
  [M in ApiMethod]: (args: ApiArgs<M>) => Promise<ApiResults[M]>
}

/** Method names as a plain array, for the preload (which exposes one named function per method). */
export const API_METHODS = Object.keys(apiSchemas) as ApiMethod[]

// ---------- events ----------

export interface StudioEvents {
  /** A job was created, progressed, or ended. */
  job: JobRecord
  /** Albums, images, masks or sources changed (refresh lists). */
  library: { albumId?: number; sourceId?: number; reason: string }
  /** The open project changed (opened, closed, created). */
  project: ProjectInfo | null
}
export type StudioEventName = keyof StudioEvents
export const EVENT_NAMES: StudioEventName[] = ['job', 'library', 'project']

// ---------- errors ----------

/** Error codes a method may fail with; the message is for people, the code for programs. */
export const ErrorCode = {
  BadArguments: 'BAD_ARGUMENTS',
  NoProject: 'NO_PROJECT',
  NotFound: 'NOT_FOUND',
  Conflict: 'CONFLICT',
  Locked: 'PROJECT_LOCKED',
  Io: 'IO_ERROR',
  Unsupported: 'UNSUPPORTED',
  Internal: 'INTERNAL',
} as const
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode]

/** The serialisable error shape that crosses every door. */
export interface ApiErrorPayload {
  code: ErrorCode
  message: string
  /** For BAD_ARGUMENTS: which fields and why. */
  issues?: { path: string; message: string }[]
}

/** Turns a zod error into the issues list of an ApiErrorPayload ("limit: must be ≤ 1000"). */
export function describeZodError(err: z.ZodError): { path: string; message: string }[] {
  return err.issues.map((i) => ({ path: i.path.join('.') || '(arguments)', message: i.message }))
}
