/**
 * Method and event names of the contract as plain data, for the preload and the renderer: api.ts carries
 * the zod schemas, which a sandboxed preload cannot `require('zod')` and the renderer bundle need not
 * carry. The type checks below fail the build when the contract gains or loses a name, so the lists
 * cannot drift. Only types are imported from api.ts.
 */
import type { ApiMethod, StudioEventName } from './api'

export const METHOD_NAMES = [
  'appInfo',
  'recentProjects',
  'createProject',
  'openProject',
  'closeProject',
  'pickDirectory',
  'pickFile',
  'listAlbums',
  'listSources',
  'renameAlbum',
  'deleteAlbum',
  'albumDeletionPreview',
  'listImages',
  'getImage',
  'setImageTags',
  'importFolder',
  'importPis',
  'importVoc',
  'listJobs',
  'getJob',
  'cancelJob',
  // runs, metrics and results
  'startRun',
  'listRuns',
  'getRun',
  'runImageMetrics',
  'deleteRun',
  // clustering
  'clusterAlbum',
  'listClusterings',
  // annotation
  'saveMask',
  'listMaskVersions',
  'restoreMaskVersion',
  'setAnnotationStatus',
  'annotationQueue',
  'makeSplit',
  'getSplit',
  'exportMasks',
  'startMaskExport',
  'maskProposals',
  // insight
  'insightImages',
  'clusterOverview',
  'computeEmbedding',
  'albumEmbedding',
  'projectResults',
  // snapshots
  'runSnapshots',
  'evaluateSnapshots',
  // coseg
  'startCoseg',
  // explain
  'explainRegion',
  // click masks
  'clickMaskMap',
  // variants
  'predictVariant',
  'listVariants',
  // source models
  'addSourceModel',
  'listSourceModels',
  'inspectSourceModel',
  'downloadTorchvisionModel',
  'farmStatus',
  'startRuns',
  'setFarm',
] as const satisfies readonly ApiMethod[]

export const EVENT_NAME_LIST = [
  'job',
  'library',
  'project',
  'projectFolder',
  'run',
] as const satisfies readonly StudioEventName[]

type Missing<All, Listed> = [Exclude<All, Listed>] extends [never] ? true : Exclude<All, Listed>
const allMethods: Missing<ApiMethod, (typeof METHOD_NAMES)[number]> = true
const allEvents: Missing<StudioEventName, (typeof EVENT_NAME_LIST)[number]> = true
void allMethods
void allEvents
