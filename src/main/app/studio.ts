/**
 * Studio: the one StudioApi implementation. Every door (Electron IPC, browser-mode HTTP, the CLI and
 * tests through `api`) goes through `dispatch`, which validates the arguments with the method's zod
 * schema and maps every failure to an ApiError. The studio holds at most one open project (a
 * Session: the store plus its job queue) and owns the event bus the doors forward to the renderer.
 */
import os from 'node:os'
import path from 'node:path'
import {
  API_METHODS,
  apiSchemas,
  describeZodError,
  ErrorCode,
  type ApiMethod,
  type StudioApi,
  type StudioEventName,
  type StudioEvents,
} from '../../shared/api'
import type { AppInfo, AppMode, ProjectInfo } from '../../shared/domain'
import { JobQueue, type JobQueueOptions } from '../jobs/job-queue'
// Straight from the file, not the worker index: that pulls in the training job and with it tfjs.
import { backendSummary, probeBackend } from '../engine/api'
import type { BackendReport } from '../engine/api'
import { NoProjectError } from '../project/errors'
import { Project } from '../project/project'
import { ApiError, toApiError } from './api-error'
import type { HandlerContext, Handlers } from './handler-context'
import { annotationHandlers } from './annotation-handlers'
import { appVersion } from './app-version'
import { runsHandlers } from './runs-handlers'
import { clusteringHandlers } from './clustering-handlers'
import { insightHandlers } from './insight-handlers'
import { snapshotsHandlers } from './snapshots-handlers'
import { cosegHandlers } from './coseg-handlers'
import { explainHandlers } from './explain-handlers'
import { clickMaskHandlers } from './click-mask-handlers'
import { variantsHandlers } from './variants-handlers'
import { sourceModelsHandlers } from './source-models-handlers'
import { torchvisionDownloadHandlers } from './torchvision-download'
import { StudioEventBus } from './events'
import { importHandlers, isImportJob } from './import-jobs'
import { resumeInterruptedRuns, RUN_JOB_KIND, settleOrphanRuns } from './run-jobs'
import { resolveMediaRef, type ResolvedMedia } from './media-resolver'
import { RecentProjects } from './recent-projects'
import { FarmMode } from './farm/farm-mode'
import { gridContentFilter } from './prediction-classes'
import { exportJobHandlers } from './export-jobs'

export interface StudioOptions {
  mode: AppMode
  /** Where recent.json lives; default env PSS_STUDIO_HOME or ~/.config/pss-studio. */
  homeDir?: string
  /** Native folder picker (Electron); absent elsewhere, and appInfo says so. */
  pickDirectory?: (title?: string) => Promise<string | null>
  /** Native file picker (Electron), limited to files with one of `extensions`; absent elsewhere. */
  pickFile?: (title?: string, extensions?: string[]) => Promise<string | null>
  version?: string
  /** Job queue tuning (tests use short intervals). */
  jobs?: Pick<JobQueueOptions, 'writeIntervalMs' | 'closeTimeoutMs' | 'maxProblems'>
  /** Finds the engine's backend; default: `probeBackend()` in a worker thread (tests may inject one). */
  probeBackend?: () => Promise<BackendReport>
  /**
   * What opening a project does with album runs a crash cut off: 'resume' queues them again (a door
   * that stays up while they run: the desktop app, `serve`); 'keep' leaves them interrupted, untouched,
   * for such a door to resume later (a CLI command that closes the project as soon as it has answered
   * would otherwise cancel them on its way out). Default 'resume'.
   */
  interruptedRuns?: 'resume' | 'keep'
}

/** Methods that work on the studio rather than on the open project's folder (no folder check). */
const STUDIO_METHODS: ReadonlySet<string> = new Set([
  'appInfo',
  'recentProjects',
  'createProject',
  'openProject',
  'closeProject',
  'pickDirectory',
  'pickFile',
  'farmStatus',
  'setFarm',
])

type BackendInfo = NonNullable<AppInfo['backend']>

interface Session {
  project: Project
  jobs: JobQueue
}

export function defaultHomeDir(): string {
  const env = process.env.PSS_STUDIO_HOME
  return env && env.length > 0 ? env : path.join(os.homedir(), '.config', 'pss-studio')
}

export class Studio {
  readonly api: StudioApi
  readonly homeDir: string
  private readonly events = new StudioEventBus()
  private readonly recent: RecentProjects
  /** Farm mode: its settings and, while it is on, the connection runs are enqueued through. */
  private readonly farm: FarmMode
  private readonly handlers: Handlers
  private session: Session | null = null
  /** The engine backend once the probe has answered (or failed); null while it runs or before it starts. */
  private backend: BackendInfo | null = null
  private backendProbe: Promise<BackendInfo> | null = null
  /** Opening, creating and closing run one after another, never interleaved. */
  private lifecycle: Promise<unknown> = Promise.resolve()

  constructor(private readonly opts: StudioOptions) {
    this.homeDir = path.resolve(opts.homeDir ?? defaultHomeDir())
    this.recent = new RecentProjects(this.homeDir)
    this.farm = new FarmMode(this.homeDir)
    this.handlers = this.makeHandlers()
    const api: Partial<Record<ApiMethod, (args: unknown) => Promise<unknown>>> = {}
    for (const m of API_METHODS) api[m] = (args: unknown) => this.dispatch(m, args)
    this.api = api as StudioApi
  }

  /** Validates and runs one API call; throws ApiError. */
  async dispatch(method: string, rawArgs: unknown): Promise<unknown> {
    if (typeof method !== 'string' || !Object.prototype.hasOwnProperty.call(apiSchemas, method)) {
      throw ApiError.of(ErrorCode.BadArguments, `unknown method ${String(method)}`)
    }
    const m = method as ApiMethod
    const parsed = apiSchemas[m].safeParse(rawArgs === undefined ? {} : rawArgs)
    if (!parsed.success) {
      const issues = describeZodError(parsed.error)
      throw ApiError.of(
        ErrorCode.BadArguments,
        `invalid arguments for ${m}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
        issues,
      )
    }
    try {
      const handler = this.handlers[m] as (args: unknown) => unknown
      if (STUDIO_METHODS.has(m)) return await handler(parsed.data)
      // The folder is checked before the call (no write starts into a moved or deleted folder) and after
      // it (a write the folder vanished under is not acknowledged: it did not reach the project's disk).
      const project = this.session?.project
      project?.assertInPlace()
      const result = await handler(parsed.data)
      project?.assertInPlace()
      return result
    } catch (e) {
      throw toApiError(e, this.session?.project.paths.db)
    }
  }

  on<E extends StudioEventName>(event: E, cb: (payload: StudioEvents[E]) => void): () => void {
    return this.events.on(event, cb)
  }

  resolveMedia(ref: string): ResolvedMedia | null {
    return resolveMediaRef(this.session?.project ?? null, ref)
  }

  /** Opens a project folder (CLI `serve --project`, Electron `--project`). Throws ApiError. */
  async openProjectPath(projectPath: string): Promise<ProjectInfo> {
    return this.api.openProject({ path: projectPath })
  }

  /** Closes the project (cancelling its jobs) and releases its lock. */
  async close(): Promise<void> {
    await this.exclusive(async () => {
      await this.closeSession()
    })
    await this.farm.close()
  }

  /**
   * The engine's backend as AppInfo shows it. The probe starts on the first call (the first appInfo)
   * and runs once, in a worker; a failure is reported as backend 'unavailable' with the reason.
   */
  backendInfo(): Promise<BackendInfo> {
    if (!this.backendProbe) {
      const probe = this.opts.probeBackend ?? (() => probeBackend())
      let started: Promise<BackendReport>
      try {
        started = probe()
      } catch (e) {
        started = Promise.reject(e)
      }
      this.backendProbe = started.then(backendSummary, (e: unknown) => ({
        name: 'unavailable',
        device: '',
        notes: [e instanceof Error ? e.message : String(e)],
      }))
      void this.backendProbe.then((b) => (this.backend = b))
    }
    return this.backendProbe
  }

  /** The open project, for in-process callers (CLI `info`, benchmarks); throws NO_PROJECT. */
  currentProject(): Project {
    return this.requireSession().project
  }

  /** The open project's job queue (for tests and in-process callers that await a job). */
  currentJobs(): JobQueue {
    return this.requireSession().jobs
  }

  // ---------- sessions ----------

  private requireSession(): Session {
    if (!this.session || !this.session.project.isOpen) throw new NoProjectError()
    return this.session
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lifecycle.then(fn, fn)
    this.lifecycle = run.catch(() => {})
    return run
  }

  /** Switches to a project the caller opened: the old session closes only once the new one is open. */
  private async adopt(open: () => Project): Promise<ProjectInfo> {
    return this.exclusive(async () => {
      const project = open()
      await this.closeSession()
      // Not while opening: recovering interrupted jobs ends them before their runs are resumed under new jobs.
      let opened = false
      const jobs = new JobQueue(project.db, {
        ...this.opts.jobs,
        onChange: (job) => {
          this.events.emit('job', job)
          // A run job that ended may leave its run unsettled (cancelled while queued): settle it now.
          if (
            opened &&
            job.kind === RUN_JOB_KIND &&
            (job.status === 'done' || job.status === 'failed' || job.status === 'cancelled')
          )
            this.settleRuns(project)
        },
      })
      const keepRuns = this.opts.interruptedRuns === 'keep'
      const interrupted = jobs.recoverInterrupted(keepRuns ? [RUN_JOB_KIND] : [])
      this.session = { project, jobs }
      // Album runs cut off by a restart continue (their source training from its last checkpoint).
      if (!keepRuns) {
        resumeInterruptedRuns(
          {
            project,
            jobs,
            backend: async () => (await this.backendInfo()).name,
            emit: (e) => this.events.emit('run', e),
            farm: () => this.farm.current(),
          },
          interrupted,
        )
      }
      // Runs left running by a closed studio and not resumed are settled once here, not on every read.
      this.settleRuns(project)
      opened = true
      project.onFolderGone((e) => {
        // Jobs write by path too (runs/): stop them. Imports check the folder themselves and fail with
        // the reason at their next file.
        for (const j of jobs.list(500))
          if ((j.status === 'queued' || j.status === 'running') && !isImportJob(j.kind)) jobs.cancel(j.id)
        this.events.emit('projectFolder', { path: project.root, message: e.message })
      })
      const info = project.info()
      this.recent.add(info.path, info.name)
      this.events.emit('project', info)
      return info
    })
  }

  private settleRuns(project: Project): void {
    try {
      settleOrphanRuns(project, (e) => this.events.emit('run', e))
    } catch (e) {
      // The folder may be gone or the database closing: the next open settles them.
      console.error(`PSS Studio: cannot settle the runs of ${project.root}:`, e)
    }
  }

  private async closeSession(): Promise<boolean> {
    const s = this.session
    if (!s) return false
    this.session = null
    try {
      await s.jobs.close()
    } finally {
      s.project.close()
      this.events.emit('project', null)
    }
    return true
  }

  private appInfo(): AppInfo {
    // Never waits: the renderer polls again while backend is null.
    void this.backendInfo()
    return {
      name: 'PSS Studio',
      version: this.opts.version ?? appVersion(),
      mode: this.opts.mode,
      capabilities: {
        pickDirectory: this.opts.pickDirectory !== undefined,
        pickFile: this.opts.pickFile !== undefined,
      },
      project: this.session?.project.isOpen ? this.projectInfoNow(this.session.project) : null,
      backend: this.backend,
    }
  }

  /** The project's info plus, when its folder is gone, why (a renderer that reloads shows it again). */
  private projectInfoNow(project: Project): ProjectInfo {
    const problem = project.folderProblem()
    return problem === null ? project.info() : { ...project.info(), folderProblem: problem }
  }

  private handlerContext(): HandlerContext {
    return {
      project: () => this.requireSession().project,
      jobs: () => this.requireSession().jobs,
      emit: (event, payload) => this.events.emit(event, payload),
      backend: () => this.backendInfo(),
      farm: () => this.farm.current(),
    }
  }

  private makeHandlers(): Handlers {
    const project = (): Project => this.requireSession().project
    const library = (p: StudioEvents['library']): void => this.events.emit('library', p)
    const ctx = this.handlerContext()
    return {
      ...annotationHandlers(ctx),
      ...runsHandlers(ctx),
      ...clusteringHandlers(ctx),
      ...insightHandlers(ctx),
      ...snapshotsHandlers(ctx),
      ...cosegHandlers(ctx),
      ...explainHandlers(ctx),
      ...clickMaskHandlers(ctx),
      ...variantsHandlers(ctx),
      ...exportJobHandlers(ctx),
      ...sourceModelsHandlers(ctx),
      ...torchvisionDownloadHandlers(ctx),
      appInfo: () => this.appInfo(),
      recentProjects: () => this.recent.list(),
      farmStatus: () => this.farm.status(),
      setFarm: (a) => this.farm.set(a.enabled, a.url),
      createProject: (a) => this.adopt(() => Project.create(path.resolve(a.path), { name: a.name })),
      openProject: async (a) => {
        const wanted = path.resolve(a.path)
        const cur = this.session
        if (cur && cur.project.isOpen && cur.project.folderProblem() !== null) {
          // Its folder was moved or deleted: close it first, since its lock travelled with the folder
          // (maybe to `wanted`, or back to where it was).
          await this.exclusive(() => this.closeSession())
        } else if (cur && cur.project.isOpen && cur.project.root === wanted) {
          // Opening the project that is already open here is a no-op, not a lock conflict with ourselves.
          return cur.project.info()
        }
        return this.adopt(() => Project.open(wanted))
      },
      closeProject: async () => ({ closed: await this.exclusive(() => this.closeSession()) }),
      pickDirectory: async (a) => {
        if (!this.opts.pickDirectory) {
          throw ApiError.of(
            ErrorCode.Unsupported,
            `choosing a folder with a dialog needs the desktop app (running in ${this.opts.mode} mode); type the path instead`,
          )
        }
        return { path: await this.opts.pickDirectory(a.title) }
      },
      pickFile: async (a) => {
        if (!this.opts.pickFile) {
          throw ApiError.of(
            ErrorCode.Unsupported,
            `choosing a file with a dialog needs the desktop app (running in ${this.opts.mode} mode); type the path instead`,
          )
        }
        return { path: await this.opts.pickFile(a.title, a.extensions) }
      },

      listAlbums: () => project().albums.list(),
      listSources: () => project().sources.list(),
      renameAlbum: (a) => {
        const album = project().albums.rename(a.albumId, a.name)
        library({ albumId: a.albumId, reason: 'album renamed' })
        return album
      },
      deleteAlbum: (a) => {
        project().deleteAlbum(a.albumId)
        library({ albumId: a.albumId, reason: 'album deleted' })
        return { deleted: true }
      },
      albumDeletionPreview: (a) => project().albums.deletionPreview(a.albumId),
      listImages: (a) => {
        const p = project()
        return p.images.page({
          owner: a.albumId !== undefined ? { albumId: a.albumId } : { sourceId: a.sourceId! },
          offset: a.offset,
          limit: a.limit,
          filter: a.filter,
          sort: a.sort,
          search: a.search,
          ...gridContentFilter(p, a.albumId, a),
        })
      },
      getImage: (a) => {
        const p = project()
        return p.images.detail(a.imageId, p.masks.list(a.imageId), (r) => p.originalPath(r))
      },
      setImageTags: (a) => {
        const p = project()
        p.images.setTags(a.imageId, a.tags)
        const detail = p.images.detail(a.imageId, p.masks.list(a.imageId), (r) => p.originalPath(r))
        library({
          ...(detail.albumId !== null ? { albumId: detail.albumId } : { sourceId: detail.sourceId! }),
          reason: 'tags changed',
        })
        return detail
      },

      ...importHandlers(ctx),

      listJobs: (a) => this.requireSession().jobs.list(a.limit),
      getJob: (a) => this.requireSession().jobs.get(a.jobId),
      cancelJob: (a) => this.requireSession().jobs.cancel(a.jobId),
    }
  }
}

export { ApiError } from './api-error'
