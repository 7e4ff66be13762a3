/**
 * The annotation queue of an album: the active split's validation images (all images when the album
 * has no split yet), in name order, with their status — what the editor's D/A walk through.
 */
import type { AnnotationQueue, QueueItem } from '../../shared/annotation'
import type { Db } from '../project/db'
import { isAnnotationStatus, STATUS_SQL } from './annotation-status'
import { activeSplit } from './splits'

export function annotationQueue(db: Db, albumId: number): AnnotationQueue {
  return db.transaction(() => {
    const split = activeSplit(db, albumId)
    const rows = db
      .prepare(
        `SELECT i.id AS imageId, i.name AS name, ${STATUS_SQL} AS status, i.mask_version AS maskVersion, i.cluster AS cluster
         FROM images i
         WHERE i.album_id = @a AND (@s IS NULL OR EXISTS (SELECT 1 FROM split_members sm WHERE sm.split_id = @s AND sm.image_id = i.id))
         ORDER BY i.name COLLATE NOCASE, i.id`,
      )
      .all({ a: albumId, s: split?.id ?? null }) as {
      imageId: number
      name: string
      status: string
      maskVersion: number | null
      cluster: number | null
    }[]
    const items: QueueItem[] = rows.map((r) => ({
      ...r,
      status: isAnnotationStatus(r.status) ? r.status : 'not_started',
    }))
    return { albumId, split, items }
  })()
}
