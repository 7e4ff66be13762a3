/**
 * Per-image annotation status. An explicit row in annotation_state wins; without one an image is
 * 'done' when it has a human mask (imported ground truth) and 'not_started' otherwise, so imported
 * datasets read sensibly without a status row per image.
 */
import { ANNOTATION_STATUSES, type AnnotationStatus } from '../../shared/annotation'
import { nowIso, type Db } from '../project/db'
import { InvalidInputError, NotFoundError } from '../project/errors'

/** SQL expression of an image's effective status; `i` is the images alias. */
export const STATUS_SQL = `coalesce(
  (SELECT s.status FROM annotation_state s WHERE s.image_id = i.id),
  CASE WHEN EXISTS (SELECT 1 FROM masks m WHERE m.image_id = i.id AND m.author = 'human')
       THEN 'done' ELSE 'not_started' END)`

export function isAnnotationStatus(s: unknown): s is AnnotationStatus {
  return typeof s === 'string' && (ANNOTATION_STATUSES as readonly string[]).includes(s)
}

export function readStatus(db: Db, imageId: number): AnnotationStatus {
  const r = db.prepare(`SELECT ${STATUS_SQL} AS status FROM images i WHERE i.id = ?`).get(imageId) as
    { status: string } | undefined
  if (!r) throw new NotFoundError(`image ${imageId} does not exist`)
  if (!isAnnotationStatus(r.status))
    throw new InvalidInputError(`image ${imageId} has an unknown status "${r.status}"`)
  return r.status
}

/** Stores an explicit status (call inside the caller's transaction when it goes with other changes). */
export function writeStatus(db: Db, imageId: number, status: AnnotationStatus): void {
  if (!db.prepare('SELECT 1 FROM images WHERE id = ?').get(imageId)) {
    throw new NotFoundError(`image ${imageId} does not exist`)
  }
  db.prepare(
    `INSERT INTO annotation_state (image_id, status, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (image_id) DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at`,
  ).run(imageId, status, nowIso())
}
