/**
 * What `pss-studio predict --pis ROOT` predicts, as the released PSS_test.sh does (no tfjs here: the CLI
 * plans on its own thread): for each chosen user of a PIS tree (`<root>[/personal]/id{k}/JPEGImages`), every
 * album image, written to `<out>/id{k}/{name}.png` (+ `_color.png`). A model with a group context module
 * (a PSS run folder) predicts in batches that each hold images of ONE group of that user's
 * `train_cluster<K>.txt` (docs/method.md §3: the context comes from the test batch), at most `batch` images — the
 * run's training batch by default, so test-time context batches equal training's (issue 13, item 3).
 * When a user has several cluster files, the same one the methods bench uses is taken
 * (pipelines/methods-clusters.ts: the smallest K ≥ N/8, ≈ 8 images per group). Images the cluster file does
 * not list go in batches of their own. A model without a context module (a plain run, a torchvision .pth)
 * has no use for groups: consecutive batches.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { readAdaptRunFile } from '../methods/adapt-run-file'
import { contextFor } from '../methods/adapt-config'
import { readAlbumClusters } from '../pipelines/methods-clusters'
import { listPisAlbums } from '../pipelines/pis-albums'
import { readRunFile } from '../runs/checkpoint-files'
import { groupBatches } from '../runs/group-order'
import type { FileProblem } from '../runs/file-dataset'
import { chunkBatches, InferItemSchema, type InferItem } from './infer-request'

export interface PisTestUser {
  id: string
  /** The user's album folder and its prediction folder `<out>/id{k}`. */
  dir: string
  outDir: string
  images: number
  /** The cluster file the batches follow (null: none used — no context, or the user has none). */
  clusterFile: string | null
  k: number | null
  /** Album images the cluster file does not list (batched among themselves). */
  ungrouped: number
  batches: InferItem[][]
}

export interface PisTestPlan {
  users: PisTestUser[]
  /** Whether batches follow the users' clusters (the model has a group context module). */
  grouped: boolean
  batch: number
  /** Images whose names cannot be output stems (reported, not predicted). */
  problems: FileProblem[]
  /** Plain-language notes (e.g. a user without a cluster file). */
  notes: string[]
}

/** A run folder's group context and training batch (an adaptation run of a PSS method has the module). */
export function runTestContext(runDir: string): { grouped: boolean; batch: number } {
  let raw: unknown
  try {
    raw = JSON.parse(fs.readFileSync(path.join(runDir, 'run.json'), 'utf8'))
  } catch (e) {
    throw new Error(
      `${path.join(runDir, 'run.json')}: cannot be read (${e instanceof Error ? e.message : String(e)})`,
    )
  }
  if (typeof raw === 'object' && raw !== null && (raw as { kind?: unknown }).kind === 'adaptation') {
    const { config } = readAdaptRunFile(runDir)
    return { grouped: contextFor(config).variant !== 'none', batch: config.batch }
  }
  return { grouped: false, batch: readRunFile(runDir).config.batch }
}

/** `all`, or a comma-separated list of user ids; unknown ids are named with the known ones. */
export function chooseUsers<T extends { id: string }>(
  all: readonly T[],
  users: 'all' | readonly string[],
  root: string,
): T[] {
  if (users === 'all') return [...all]
  const known = new Map(all.map((a) => [a.id, a]))
  const unknown = users.filter((u) => !known.has(u))
  if (unknown.length > 0)
    throw new Error(
      `${root}: no user ${unknown.join(', ')} (users there: ${all.map((a) => a.id).join(', ')})`,
    )
  return [...new Set(users)].map((u) => known.get(u)!)
}

export function pisTestPlan(o: {
  root: string
  users: 'all' | readonly string[]
  outDir: string
  grouped: boolean
  batch: number
}): PisTestPlan {
  const problems: FileProblem[] = []
  const notes: string[] = []
  const albums = chooseUsers(listPisAlbums(o.root), o.users, o.root)
  const users = albums.map((album): PisTestUser => {
    const items: InferItem[] = []
    for (const img of album.images) {
      if (InferItemSchema.safeParse({ image: img.file, name: img.name }).success)
        items.push({ image: img.file, name: img.name })
      else
        problems.push({
          file: img.file,
          reason: 'its name cannot be an output file stem (use letters, digits, ".", "_", "-", " ")',
        })
    }
    const outDir = path.join(o.outDir, album.id)
    const base = { id: album.id, dir: album.dir, outDir, images: items.length }
    if (!o.grouped)
      return { ...base, clusterFile: null, k: null, ungrouped: 0, batches: chunkBatches(items, o.batch) }
    const clusters = readAlbumClusters(album.dir, items.length)
    if (clusters === null) {
      notes.push(
        `${album.id}: no train_cluster<K>.txt in ${album.dir}; its context batches are consecutive images`,
      )
      return {
        ...base,
        clusterFile: null,
        k: null,
        ungrouped: items.length,
        batches: chunkBatches(items, o.batch),
      }
    }
    const ungrouped = items.filter((i) => !clusters.groupOf.has(i.name)).length
    if (ungrouped > 0)
      notes.push(
        `${album.id}: ${ungrouped} images are not in ${path.basename(clusters.file)}; they are batched among themselves`,
      )
    return {
      ...base,
      clusterFile: clusters.file,
      k: clusters.k,
      ungrouped,
      batches: groupBatches(items, (i) => clusters.groupOf.get(i.name) ?? null, o.batch),
    }
  })
  return { users, grouped: o.grouped, batch: o.batch, problems, notes }
}
