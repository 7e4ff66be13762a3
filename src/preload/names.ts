/**
 * Method and event names of the contract, listed here rather than imported from src/shared/api.ts:
 * that module carries the zod schemas, and a sandboxed preload cannot `require('zod')` (it may only
 * load `electron` and a few built-ins). The type checks below fail the build when the contract gains
 * or loses a name, so the lists cannot drift.
 */
import type { ApiMethod, StudioEventName } from '../shared/api'

export const METHOD_NAMES = [
  'appInfo',
  'recentProjects',
  'createProject',
  'openProject',
  'closeProject',
  'pickDirectory',
  'listAlbums',
  'listSources',
  'renameAlbum',
  'deleteAlbum',
  'listImages',
  'getImage',
  'setImageTags',
  'importFolder',
  'importPis',
  'importVoc',
  'listJobs',
  'getJob',
  'cancelJob',
] as const satisfies readonly ApiMethod[]

export const EVENT_NAME_LIST = ['job', 'library', 'project'] as const satisfies readonly StudioEventName[]

type Missing<All, Listed> = [Exclude<All, Listed>] extends [never] ? true : Exclude<All, Listed>
const allMethods: Missing<ApiMethod, (typeof METHOD_NAMES)[number]> = true
const allEvents: Missing<StudioEventName, (typeof EVENT_NAME_LIST)[number]> = true
void allMethods
void allEvents
