/** Dataset importers. Each writes only through ImportContext/ImportTarget and returns an ImportSummary. */
export { importFolder, type FolderImportArgs } from './folder-import'
export { importPis, PIS_SPLIT_NAME, type PisImportArgs } from './pis-import'
export { importVoc, resolveVocRoot, type VocImportArgs } from './voc-import'
export { resolvePisUsers, type PisUser } from './pis-layout'
export { IMPORT_CONCURRENCY, type ImportOptions } from './import-images'
export type { ImportContext, ImportTarget, NewImage, NewMask } from '../project/import-target-port'
