/**
 * Images of albums and sources: rows, the grid page query, details with neighbours, tags.
 * The page query is built from a few fixed fragments (never from user text: search is a bound
 * parameter) and prepared statements are cached per shape.
 */
import type { ImageDetail, ImagePage, ImageRecord, MaskInfo } from '../../shared/domain'
import { mediaRef } from '../../shared/domain'
import { parseJson, type Db } from './db'
import { exhaustive, NotFoundError } from './errors'
import type { Statement } from 'better-sqlite3'

export type ImageOwner = { albumId: number } | { sourceId: number }
export type ImageFilter = 'all' | 'masked' | 'unmasked' | 'validation' | 'train'
export type ImageSort = 'name' | 'imported' | 'cluster'

export interface PageQuery {
  owner: ImageOwner
  offset: number
  limit: number
  filter: ImageFilter
  sort: ImageSort
  search?: string | undefined
  /** Only images whose newest mask (their ground truth) has pixels of this class. */
  gtClass?: number | undefined
  /** Only these images (a set computed outside SQL, e.g. those whose prediction has a class). */
  onlyIds?: readonly number[] | undefined
  /** Only images whose per-image FIoU in this run lies in [min, max] (fractions 0–1, inclusive). */
  fiouRange?: { runId: number; min: number; max: number } | undefined
}

export interface ImageRow {
  id: number
  album_id: number | null
  source_id: number | null
  name: string
  original_path: string
  copied: number
  width: number
  height: number
  orientation: number
  bytes: number
  hash: string
  tags: string
  thumb_path: string | null
  mask_version: number | null
  in_validation: number
  cluster: number | null
  imported_at: string
}

/** Escapes LIKE wildcards so a search for "50%_off" matches those characters literally. */
function likePattern(search: string): string {
  return `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
}

export function toImageRecord(r: ImageRow): ImageRecord {
  return {
    id: r.id,
    albumId: r.album_id,
    sourceId: r.source_id,
    name: r.name,
    width: r.width,
    height: r.height,
    orientation: r.orientation,
    bytes: r.bytes,
    hash: r.hash,
    tags: parseJson<number[]>(r.tags, []),
    hasMask: r.mask_version !== null,
    maskVersion: r.mask_version,
    inValidation: r.in_validation === 1,
    cluster: r.cluster,
    media: {
      image: mediaRef.image(r.id),
      thumb: mediaRef.thumb(r.id),
      mask: r.mask_version !== null ? mediaRef.mask(r.id, r.mask_version) : null,
    },
  }
}

/** The grid's content filters: class present (GT or a run's prediction) and a run's per-image FIoU range. */
export type ContentFilter = Pick<PageQuery, 'gtClass' | 'onlyIds' | 'fiouRange'>

/**
 * WHERE terms (and their bound parameters) of the content filters, for a query over `images` named
 * `t` (the grid page here, the insight page in insight-handlers.ts). Fixed fragments; values are bound.
 */
export function contentFilterSql(
  f: ContentFilter,
  t: string,
): { where: string[]; params: Record<string, unknown> } {
  const where: string[] = []
  const params: Record<string, unknown> = {}
  // class_pixels of the newest version: {"<class>": pixels}; only classes with pixels are stored.
  if (f.gtClass !== undefined) {
    where.push(`EXISTS (SELECT 1 FROM masks m, json_each(m.class_pixels) j
      WHERE m.image_id = ${t}.id AND m.version = ${t}.mask_version AND j.key = @gtClass AND j.value > 0)`)
    params.gtClass = String(f.gtClass)
  }
  // The ids travel as one bound JSON array, so the statement's shape does not depend on their count.
  if (f.onlyIds !== undefined) {
    where.push(`${t}.id IN (SELECT value FROM json_each(@onlyIds))`)
    params.onlyIds = JSON.stringify(f.onlyIds)
  }
  // Per-image FIoU rows (metrics_run index: run_id, name, image_id).
  if (f.fiouRange !== undefined) {
    where.push(`EXISTS (SELECT 1 FROM metrics mt WHERE mt.run_id = @fiouRun AND mt.name = 'fiou'
      AND mt.image_id = ${t}.id AND mt.value BETWEEN @fiouMin AND @fiouMax)`)
    Object.assign(params, { fiouRun: f.fiouRange.runId, fiouMin: f.fiouRange.min, fiouMax: f.fiouRange.max })
  }
  return { where, params }
}

export class ImagesRepo {
  private readonly cache = new Map<string, Statement>()

  constructor(private readonly db: Db) {}

  private stmt(sql: string): Statement {
    let s = this.cache.get(sql)
    if (!s) {
      s = this.db.prepare(sql)
      this.cache.set(sql, s)
    }
    return s
  }

  row(id: number): ImageRow {
    const r = this.stmt('SELECT * FROM images WHERE id = ?').get(id) as ImageRow | undefined
    if (!r) throw new NotFoundError(`image ${id} does not exist`)
    return r
  }

  findByHash(owner: ImageOwner, hash: string): number | null {
    const r = (
      'albumId' in owner
        ? this.stmt('SELECT id FROM images WHERE album_id = ? AND hash = ?').get(owner.albumId, hash)
        : this.stmt('SELECT id FROM images WHERE source_id = ? AND hash = ?').get(owner.sourceId, hash)
    ) as { id: number } | undefined
    return r?.id ?? null
  }

  private checkOwner(owner: ImageOwner): void {
    if ('albumId' in owner) {
      if (!this.stmt('SELECT 1 FROM albums WHERE id = ?').get(owner.albumId)) {
        throw new NotFoundError(`album ${owner.albumId} does not exist`)
      }
    } else if (!this.stmt('SELECT 1 FROM sources WHERE id = ?').get(owner.sourceId)) {
      throw new NotFoundError(`source dataset ${owner.sourceId} does not exist`)
    }
  }

  private filterClause(filter: ImageFilter): string | null {
    switch (filter) {
      case 'all':
        return null
      case 'masked':
        return 'mask_version IS NOT NULL'
      case 'unmasked':
        return 'mask_version IS NULL'
      case 'validation':
        return 'in_validation = 1'
      case 'train':
        return 'in_validation = 0'
      default:
        return exhaustive(filter)
    }
  }

  /** ORDER BY terms; each matches one covering index, so no sort step is needed. */
  private orderTerms(sort: ImageSort, isAlbum: boolean, t: string): string {
    switch (sort) {
      case 'name':
        return `${t}name COLLATE NOCASE, ${t}id`
      case 'imported':
        return `${t}imported_at, ${t}id`
      case 'cluster':
        // Unclustered images (imported after the clustering) sort first, as NULLs do in the index.
        // Sources have no clusterings: their cluster order is the name order.
        return isAlbum ? `${t}cluster, ${t}name COLLATE NOCASE, ${t}id` : `${t}name COLLATE NOCASE, ${t}id`
      default:
        return exhaustive(sort)
    }
  }

  /**
   * The SQL of a page query (exposed so tests can check the plan). The page's ids come from a
   * covering index (LIMIT/OFFSET walk index entries only); then just those rows are read.
   */
  pageSql(q: PageQuery): { sql: string; countSql: string; params: Record<string, unknown> } {
    this.checkOwner(q.owner)
    const isAlbum = 'albumId' in q.owner
    const search = q.search?.trim() ?? ''
    const where = [isAlbum ? 'album_id = @owner' : 'source_id = @owner', this.filterClause(q.filter)]
    if (search !== '') where.push("name LIKE @search ESCAPE '\\'")
    const extra = contentFilterSql(q, 'images')
    where.push(...extra.where)
    const whereSql = where.filter((x): x is string => x !== null).join(' AND ')
    const sql = `
      SELECT i.* FROM (
        SELECT id FROM images WHERE ${whereSql}
        ORDER BY ${this.orderTerms(q.sort, isAlbum, '')} LIMIT @limit OFFSET @offset
      ) AS pg JOIN images i ON i.id = pg.id
      ORDER BY ${this.orderTerms(q.sort, isAlbum, 'i.')}`
    const countSql = `SELECT count(*) AS n FROM images WHERE ${whereSql}`
    const params: Record<string, unknown> = {
      owner: isAlbum ? (q.owner as { albumId: number }).albumId : (q.owner as { sourceId: number }).sourceId,
      limit: q.limit,
      offset: q.offset,
    }
    if (search !== '') params.search = likePattern(search)
    Object.assign(params, extra.params)
    return { sql, countSql, params }
  }

  page(q: PageQuery): ImagePage {
    const { sql, countSql, params } = this.pageSql(q)
    const { limit: _l, offset: _o, ...countParams } = params
    // One read transaction: the total and the items describe the same snapshot.
    return this.db.transaction(() => {
      const total = (this.stmt(countSql).get(countParams) as { n: number }).n
      const rows = this.stmt(sql).all(params) as ImageRow[]
      return { total, offset: q.offset, items: rows.map(toImageRecord) }
    })()
  }

  /** One image as the grid shows it. */
  record(id: number): ImageRecord {
    return toImageRecord(this.row(id))
  }

  detail(id: number, masks: MaskInfo[], absoluteOriginal: (r: ImageRow) => string): ImageDetail {
    return this.db.transaction(() => {
      const r = this.row(id)
      const ownerCol = r.album_id !== null ? 'album_id' : 'source_id'
      const ownerId = r.album_id ?? r.source_id
      const next = this.stmt(
        `SELECT id FROM images WHERE ${ownerCol} = @o AND (name COLLATE NOCASE, id) > (@name, @id)
         ORDER BY name COLLATE NOCASE, id LIMIT 1`,
      ).get({ o: ownerId, name: r.name, id }) as { id: number } | undefined
      const prev = this.stmt(
        `SELECT id FROM images WHERE ${ownerCol} = @o AND (name COLLATE NOCASE, id) < (@name, @id)
         ORDER BY name COLLATE NOCASE DESC, id DESC LIMIT 1`,
      ).get({ o: ownerId, name: r.name, id }) as { id: number } | undefined
      const names = this.stmt(
        `SELECT (SELECT name FROM albums WHERE id = @a) AS album, (SELECT name FROM sources WHERE id = @s) AS source`,
      ).get({ a: r.album_id, s: r.source_id }) as { album: string | null; source: string | null }
      return {
        ...toImageRecord(r),
        originalPath: absoluteOriginal(r),
        importedAt: r.imported_at,
        masks,
        albumName: names.album,
        sourceName: names.source,
        prevId: prev?.id ?? null,
        nextId: next?.id ?? null,
      }
    })()
  }

  setTags(id: number, tags: number[]): void {
    const clean = [...new Set(tags)].sort((a, b) => a - b)
    const info = this.stmt('UPDATE images SET tags = ? WHERE id = ?').run(JSON.stringify(clean), id)
    if (info.changes === 0) throw new NotFoundError(`image ${id} does not exist`)
  }
}
