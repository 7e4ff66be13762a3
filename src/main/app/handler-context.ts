/**
 * What a group of API handlers (runs, clustering, annotation) may use from the Studio: the open project,
 * its job queue, the event bus and the engine backend. Each concept keeps its handlers in its own module
 * (`<concept>-handlers.ts`) returning the methods it owns; `Studio.makeHandlers` spreads them in.
 */
import type { ApiMethod, ApiParsedArgs, ApiResults, StudioEventName, StudioEvents } from '../../shared/api'
import type { AppInfo } from '../../shared/domain'
import type { JobQueue } from '../jobs/job-queue'
import type { Project } from '../project/project'
import type { FarmClient } from './farm/farm-client'

export type Handlers = {
  [M in ApiMethod]: (args: ApiParsedArgs<M>) => Promise<ApiResults[M]> | ApiResults[M]
}

/** The handlers of a subset of the methods. */
export type HandlerGroup<M extends ApiMethod> = Pick<Handlers, M>

export interface HandlerContext {
  /** The open project; throws NO_PROJECT when none is open. */
  project(): Project
  /** The open project's job queue; throws NO_PROJECT when none is open. */
  jobs(): JobQueue
  emit<E extends StudioEventName>(event: E, payload: StudioEvents[E]): void
  /** The engine backend (probed once, in a worker). */
  backend(): Promise<NonNullable<AppInfo['backend']>>
  /** The farm album runs go to, or null: they run on this machine (farm mode off, the default). */
  farm(): FarmClient | null
}
