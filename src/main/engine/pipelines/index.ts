/** End-to-end chains (train → infer → evaluate) over datasets on disk. */
export {
  runNoda,
  NODA_METHODS,
  type MethodScores,
  type NodaMethod,
  type NodaOptions,
  type NodaResult,
  type NodaUserResult,
} from './noda'
export { nodaTable, nodaReportHtml, type ReportThumb } from './noda-report'
export { listPisAlbums, parseValLine, type PisAlbum } from './pis-albums'
export { vocLabelledFiles, classPixelCounts } from './voc-source'
