import type { ImportSummary } from '../../shared/domain'

/** A summary with nothing imported yet; importers add to it as they go. */
export function emptySummary(): ImportSummary {
  return { albumIds: [], sourceIds: [], imported: 0, duplicates: 0, masks: 0, rejected: 0 }
}
