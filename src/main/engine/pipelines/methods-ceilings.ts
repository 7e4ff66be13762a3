/**
 * The ceilings printed next to the methods table (docs/method.md §10; eval/ceilings.ts): every user's
 * validation GT (SegmentationClass/<name>.png of val_all.txt), scored as a perfect prediction and as the
 * ideal stride-8 predictor at the bench's inference geometry: by default the one the studio predicts with
 * (infer/geometry.ts: aspect kept, stride padding cropped), or the old
 * size × size squash when asked — logits at output stride 8 (every backbone here, models/segnet.ts)
 * upsampled bilinearly to the original size.
 * A GT that cannot be read is left out here; scoreAlbum reports it with the methods.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { decodeLabelPng, type LabelMap } from '../../media/label-png'
import { ceilings, type Ceilings } from '../eval/ceilings'
import { defaultLongSide } from '../infer/geometry'
import type { PisAlbum } from './pis-albums'

/** Output stride of the segmentation networks (ResNet-50, VGG-16 and the compact net are all dilated to 8). */
export const OUTPUT_STRIDE = 8

function readGts(album: PisAlbum): LabelMap[] {
  const out: LabelMap[] = []
  for (const name of album.valNames) {
    try {
      out.push(decodeLabelPng(fs.readFileSync(path.join(album.dir, 'SegmentationClass', `${name}.png`))))
    } catch {
      // Unreadable GT: scoreAlbum names it in the bench's problems; the ceilings just do without it.
    }
  }
  return out
}

/**
 * Both ceilings over the albums' validation GT for a run trained at `size`, at the geometry its predictions
 * use: aspect kept at the default long side (infer/geometry.ts defaultLongSide), or `size` × `size` when
 * 'squash' is asked for. Null when no album has a readable validation mask.
 */
export function benchCeilings(
  albums: readonly PisAlbum[],
  size: number,
  numClasses: number,
  mode: 'aspect' | 'squash' = 'aspect',
): Ceilings | null {
  const users = albums.map((a) => ({ user: a.id, gts: readGts(a) })).filter((u) => u.gts.length > 0)
  if (users.length === 0) return null
  const side = mode === 'aspect' ? defaultLongSide(size) : size
  return ceilings(users, { size: side, stride: OUTPUT_STRIDE, mode }, numClasses)
}

/** One ceiling in the bench JSON's units and names (percent; null where undefined). */
export interface CeilingJson {
  users: number
  images: number
  fiou: number
  miou_paper: number | null
  miou_all21: number
  miou_present: number | null
  perUser: Record<
    string,
    {
      images: number
      fiou: number
      miou_paper: number | null
      miou_all21: number
      miou_present: number | null
    }
  >
}

export interface CeilingsJson {
  perfect: CeilingJson
  /** mode 'aspect': size = long side, grid = the grid's long side; 'squash': size × size, grid × grid. */
  strideIdeal: CeilingJson & { stride: number; size: number; grid: number; mode: 'aspect' | 'squash' }
}

const pct = (v: number): number | null => (Number.isNaN(v) ? null : v * 100)

type ScoresJson = CeilingJson['perUser'][string]

/** FIoU and miou_all21 are defined whenever an image is scored (ceilings.ts leaves out users without images). */
function scoresJson(s: {
  images: number
  fiou: number
  miouPaper: number
  miouAll21: number
  miouPresent: number
}): ScoresJson {
  return {
    images: s.images,
    fiou: s.fiou * 100,
    miou_paper: pct(s.miouPaper),
    miou_all21: s.miouAll21 * 100,
    miou_present: pct(s.miouPresent),
  }
}

function ceilingJson(s: Ceilings['perfect']): CeilingJson {
  return {
    users: s.users,
    ...scoresJson(s),
    perUser: Object.fromEntries(Object.entries(s.perUser).map(([u, v]) => [u, scoresJson(v)])),
  }
}

/** The `ceilings` of the bench JSON: the same numbers as the methods (percent, snake_case). */
export function ceilingsJson(c: Ceilings): CeilingsJson {
  const g = c.strideIdeal
  return {
    perfect: ceilingJson(c.perfect),
    strideIdeal: { stride: g.stride, size: g.size, grid: g.grid, mode: g.mode, ...ceilingJson(g) },
  }
}
