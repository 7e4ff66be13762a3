/**
 * Ceilings of a benchmark (docs/method.md §10): what a model can reach on a set of users' ground truth, printed
 * next to every methods table so a method is read against what is reachable.
 *
 * 1. PERFECT prediction: at every pixel the GT class, and background (0) where the GT is void (255) — a
 *    prediction must be a class everywhere, and 0 is the choice that adds nothing to the FIoU union.
 *    Void pixels are left out of the confusion matrix, so the MIoUs are 100 (miou_all21: only the classes
 *    present, over 21), but they count in the FIoU union (docs/method.md §6), so FIoU < 100 when GT has void.
 *
 * 2. IDEAL STRIDE-s predictor at the SQUASH geometry (infer/geometry.ts 'squash', the studio's default
 *    before issue 13): the image is squashed to size × size, the network's logits live on a grid of g × g nodes with
 *    g = ⌈size / s⌉ (output stride s = 8 for every backbone here), and the logits are resized BILINEARLY
 *    WITH ALIGN-CORNERS from g × g straight to the image's original H × W, then argmaxed. So node (i, j)
 *    lands on original pixel (i·(H−1)/(g−1), j·(W−1)/(g−1)): the corner nodes sit ON the image corners.
 *    "Ideal" means a model that is right and equally sure at every node:
 *      a. each node takes ONE class: the majority of the non-void GT pixels it OWNS at the original size,
 *         i.e. whose nearest node (in those align-corners coordinates, row ⌊y·(g−1)/(H−1)⌉, column
 *         likewise; halves round up) it is — where the upsampled scores weigh it most. Ties go to the
 *         lower class; a node that owns only void pixels says background;
 *      b. the node logits are one-hot scores of equal height, resized g × g → H × W with align-corners
 *         bilinear weights and argmaxed (ties to the lower class, as argMax's first maximum) — exactly
 *         what the pipeline makes of logits L·onehot(class) for any L > 0;
 *      c. that label map is scored against the original GT, like any prediction.
 *    The squashed size enters only through g: the grid spans the whole image whatever its aspect ratio,
 *    so the vote needs no resized GT (resizing it would only lose pixels). The cost measured is that of
 *    g × g align-corners nodes: a g × g grid of equal blocks (nearest upsampling) would score higher,
 *    since the corner nodes here own quarter-size cells.
 *    It is a reference, not a proven bound: other node classes (a minority class that helps FIoU) or graded
 *    logits could do a little better. Other simple vote rules land within about 1 FIoU of it (synthetic
 *    tiny / demo presets, 64², stride 8: this rule 22.8 / 37.2; majority over 8×8 blocks of the 64² GT
 *    21.9 / 37.9; over g × g equal blocks of the original GT 22.3 / 38.3), while nearest-neighbour block
 *    upsampling instead of align-corners would reach 26.3 / 40.4 — the geometry, not the vote, dominates.
 *
 * 3. The same ideal predictor at the ASPECT-KEPT geometry (infer/geometry.ts, the studio's default since
 *    issue 13): the image is resized to long side `size` (aspect kept, h' × w'), padded to a canvas of stride
 *    multiples Hc × Wc (≥ 16), the logit grid is gh × gw = Hc/s × Wc/s, and the image's own part of it is
 *    resized with align-corners to H × W: original pixel y samples grid row y·(h'−1)/(H−1)·(gh−1)/(Hc−1).
 *    Steps a–c are the same with those per-axis coordinates (a node owns the pixels nearest to it; nodes in
 *    the padding beyond the last owning node copy it — the ideal network continues the image there). Each image is taken on its OWN canvas;
 *    a group-context batch pads to its largest canvas, which moves the node positions by under a pixel.
 *
 * Scores are per user (one confusion matrix, mean FIoU over its images) and the mean over users, as every
 * table (user-metrics.ts). Fractions (0–1); NaN where undefined (e.g. miouPaper without an object class).
 */
import { IGNORE_INDEX, NUM_CLASSES } from '../../../shared/voc'
import type { LabelMap } from '../../media/label-png'
import { meanOverUsers, UserEvaluation, type UserMetrics } from './user-metrics'

/**
 * The inference geometry: the network's output stride and the input side — the square side ('squash', the
 * default here for the pure functions' old callers) or the long side with the aspect kept ('aspect').
 */
export interface StrideGeometry {
  size: number
  stride: number
  mode?: 'squash' | 'aspect'
}

/** One user's scored ground truth. */
export interface CeilingUser {
  user: string
  gts: readonly LabelMap[]
}

export interface CeilingScores {
  users: number
  images: number
  fiou: number
  miouPaper: number
  miouAll21: number
  miouPresent: number
  /** Each user's own numbers. */
  perUser: Record<
    string,
    { images: number; fiou: number; miouPaper: number; miouAll21: number; miouPresent: number }
  >
}

export interface Ceilings {
  perfect: CeilingScores
  /** `grid`: the logit grid's side ('squash') or its long side ('aspect'; the short side varies per image). */
  strideIdeal: CeilingScores & Required<StrideGeometry> & { grid: number }
}

function checkMap(map: LabelMap, what: string): void {
  if (!Number.isInteger(map.width) || !Number.isInteger(map.height) || map.width < 1 || map.height < 1)
    throw new RangeError(`${what}: bad size ${map.width}×${map.height}`)
  if (map.labels.length !== map.width * map.height)
    throw new RangeError(`${what}: ${map.labels.length} labels for ${map.width}×${map.height} pixels`)
}

/** The perfect prediction of one GT: its classes, background where it is void. */
export function perfectPrediction(gt: LabelMap): Uint8Array {
  checkMap(gt, 'ground truth')
  return gt.labels.map((v) => (v === IGNORE_INDEX ? 0 : v))
}

/** Logit grid side for an input side and output stride ('same'-padded stride-2 stages: ⌈size/stride⌉). */
export function gridSide(g: StrideGeometry): number {
  if (!Number.isInteger(g.size) || !Number.isInteger(g.stride) || g.size < 1 || g.stride < 1)
    throw new RangeError(
      `inference geometry must be positive integers, got size ${g.size}, stride ${g.stride}`,
    )
  return Math.ceil(g.size / g.stride)
}

/**
 * Align-corners bilinear taps along one axis resizing `src` nodes to `dst` pixels (tf.image.resizeBilinear
 * with alignCorners: position x·(src−1)/(dst−1), 0 when dst = 1): lower node and the upper node's weight.
 */
export function alignCornersTaps(
  src: number,
  dst: number,
  scale: number = dst > 1 ? (src - 1) / (dst - 1) : 0,
): { lo: Int32Array; w: Float64Array } {
  const lo = new Int32Array(dst)
  const w = new Float64Array(dst)
  for (let x = 0; x < dst; x++) {
    const pos = x * scale
    const i = Math.min(Math.floor(pos), src - 1)
    lo[x] = i
    w[x] = i + 1 < src ? pos - i : 0
  }
  return { lo, w }
}

/**
 * Nearest node along one axis of `pixels` pixels for a `grid`-node align-corners resize (halves round up);
 * `scale` = grid coordinate per pixel (default: the grid spans the pixels corner to corner).
 */
export function ownerIndex(
  grid: number,
  pixels: number,
  scale: number = pixels > 1 ? (grid - 1) / (pixels - 1) : 0,
): Int32Array {
  const out = new Int32Array(pixels)
  for (let y = 0; y < pixels; y++) out[y] = Math.min(Math.round(y * scale), grid - 1)
  return out
}

/** Where each original row / column samples the logit grid: grid sides and per-pixel grid coordinates. */
export interface GridMapping {
  rows: number
  cols: number
  /** Grid coordinate per original pixel, vertically and horizontally. */
  scaleY: number
  scaleX: number
}

/** The squash mapping: a grid × grid lattice spanning the image corner to corner. */
function squareMapping(gt: LabelMap, grid: number): GridMapping {
  return {
    rows: grid,
    cols: grid,
    scaleY: gt.height > 1 ? (grid - 1) / (gt.height - 1) : 0,
    scaleX: gt.width > 1 ? (grid - 1) / (gt.width - 1) : 0,
  }
}

/** One axis of the aspect mapping: image side → resized side → padded canvas → grid (see the header). */
function aspectAxis(pixels: number, resized: number, stride: number): { nodes: number; scale: number } {
  const canvas = Math.max(16, Math.ceil(resized / stride) * stride)
  const nodes = canvas / stride
  const scale = pixels > 1 && nodes > 1 ? ((resized - 1) / (pixels - 1)) * ((nodes - 1) / (canvas - 1)) : 0
  return { nodes, scale }
}

/** The grid mapping of one GT at a geometry (the squash lattice, or the aspect-kept padded canvas). */
export function gridMapping(gt: LabelMap, geometry: StrideGeometry): GridMapping {
  const grid = gridSide(geometry)
  if ((geometry.mode ?? 'squash') === 'squash') return squareMapping(gt, grid)
  const s = geometry.size / Math.max(gt.width, gt.height)
  const y = aspectAxis(gt.height, Math.max(1, Math.round(gt.height * s)), geometry.stride)
  const x = aspectAxis(gt.width, Math.max(1, Math.round(gt.width * s)), geometry.stride)
  return { rows: y.nodes, cols: x.nodes, scaleY: y.scale, scaleX: x.scale }
}

/**
 * Step a: the class of each node (row-major g × g) from the GT at its original size: the majority of the
 * non-void pixels the node owns (its nearest pixels under the align-corners resize); background when none.
 */
export function nodeClasses(gt: LabelMap, grid: number, numClasses: number = NUM_CLASSES): Uint8Array {
  checkMap(gt, 'ground truth')
  if (!Number.isInteger(grid) || grid < 1)
    throw new RangeError(`grid side must be a positive integer, got ${grid}`)
  return nodeClassesOn(gt, squareMapping(gt, grid), numClasses)
}

/** Step a on any grid mapping (row-major rows × cols). */
export function nodeClassesOn(gt: LabelMap, m: GridMapping, numClasses: number = NUM_CLASSES): Uint8Array {
  checkMap(gt, 'ground truth')
  const { width: w, height: h, labels } = gt
  const rows = ownerIndex(m.rows, h, m.scaleY)
  const cols = ownerIndex(m.cols, w, m.scaleX)
  const votes = new Float64Array(m.rows * m.cols * numClasses)
  for (let y = 0; y < h; y++) {
    const rowBase = rows[y]! * m.cols
    for (let x = 0; x < w; x++) {
      const c = labels[y * w + x]!
      if (c === IGNORE_INDEX) continue
      if (c >= numClasses)
        throw new RangeError(`ground truth holds label ${c}; allowed 0–${numClasses - 1} and 255`)
      votes[(rowBase + cols[x]!) * numClasses + c]! += 1
    }
  }
  const out = new Uint8Array(m.rows * m.cols)
  for (let n = 0; n < out.length; n++) out[n] = argmaxLowest(votes, n * numClasses, numClasses)
  // Nodes past the image's last owner (in the stride padding of an aspect canvas) own no pixel; a network
  // may predict anything there, and the ideal one continues the image: copy the nearest owning node, so the
  // padding does not bleed background into the image's bottom/right edge. (In a squash lattice the last
  // node owns the last pixel, so nothing changes there.)
  const lastRow = rows[h - 1]!
  const lastCol = cols[w - 1]!
  for (let i = 0; i < m.rows; i++)
    for (let j = 0; j < m.cols; j++)
      if (i > lastRow || j > lastCol)
        out[i * m.cols + j] = out[Math.min(i, lastRow) * m.cols + Math.min(j, lastCol)]!
  return out
}

/** Index of the largest of `count` values from `offset` (the first on ties); 0 when all are 0. */
function argmaxLowest(v: Float64Array, offset: number, count: number): number {
  let best = 0
  for (let c = 1; c < count; c++) if (v[offset + c]! > v[offset + best]!) best = c
  return best
}

/** Step b: one-hot node scores resized g × g → width × height (align-corners bilinear), argmaxed. */
export function upsampleNodeClasses(
  nodes: Uint8Array,
  grid: number,
  width: number,
  height: number,
  numClasses: number = NUM_CLASSES,
): Uint8Array {
  if (nodes.length !== grid * grid)
    throw new RangeError(`${nodes.length} node classes for a ${grid}×${grid} grid`)
  return upsampleNodeClassesOn(
    nodes,
    squareMapping({ width, height, labels: new Uint8Array(0) }, grid),
    width,
    height,
    numClasses,
  )
}

/** Step b on any grid mapping. */
export function upsampleNodeClassesOn(
  nodes: Uint8Array,
  m: GridMapping,
  width: number,
  height: number,
  numClasses: number = NUM_CLASSES,
): Uint8Array {
  if (nodes.length !== m.rows * m.cols)
    throw new RangeError(`${nodes.length} node classes for a ${m.rows}×${m.cols} grid`)
  const ty = alignCornersTaps(m.rows, height, m.scaleY)
  const tx = alignCornersTaps(m.cols, width, m.scaleX)
  const out = new Uint8Array(width * height)
  const score = new Float64Array(numClasses)
  const node = (i: number, j: number): number =>
    nodes[Math.min(i, m.rows - 1) * m.cols + Math.min(j, m.cols - 1)]!
  for (let y = 0; y < height; y++) {
    const i0 = ty.lo[y]!
    const wy = ty.w[y]!
    for (let x = 0; x < width; x++) {
      const j0 = tx.lo[x]!
      const wx = tx.w[x]!
      score.fill(0)
      score[node(i0, j0)]! += (1 - wy) * (1 - wx)
      score[node(i0 + 1, j0)]! += wy * (1 - wx)
      score[node(i0, j0 + 1)]! += (1 - wy) * wx
      score[node(i0 + 1, j0 + 1)]! += wy * wx
      out[y * width + x] = argmaxLowest(score, 0, numClasses)
    }
  }
  return out
}

/** The ideal stride-s prediction of one GT at its original size (steps a–b above). */
export function strideIdealPrediction(
  gt: LabelMap,
  geometry: StrideGeometry,
  numClasses: number = NUM_CLASSES,
): Uint8Array {
  checkMap(gt, 'ground truth')
  const m = gridMapping(gt, geometry)
  return upsampleNodeClassesOn(nodeClassesOn(gt, m, numClasses), m, gt.width, gt.height, numClasses)
}

function scoreUsers(
  users: readonly CeilingUser[],
  predict: (gt: LabelMap) => Uint8Array,
  numClasses: number,
): CeilingScores {
  const metrics: UserMetrics[] = []
  const perUser: CeilingScores['perUser'] = {}
  for (const u of users) {
    const e = new UserEvaluation(numClasses)
    u.gts.forEach((gt, k) => e.add(`${u.user}#${k}`, gt.labels, predict(gt)))
    const m = e.result()
    if (m.images === 0) continue
    metrics.push(m)
    perUser[u.user] = {
      images: m.images,
      fiou: m.fiou,
      miouPaper: m.miouPaper,
      miouAll21: m.miouAll21,
      miouPresent: m.miouPresent,
    }
  }
  if (metrics.length === 0)
    throw new RangeError('ceilings of no scored image: every user has an empty GT list')
  const mean = meanOverUsers(metrics)
  return {
    users: mean.users,
    images: mean.images,
    fiou: mean.fiou,
    miouPaper: mean.miouPaper,
    miouAll21: mean.miouAll21,
    miouPresent: mean.miouPresent,
    perUser,
  }
}

/** Both ceilings of a set of users' GT label maps at one inference geometry. */
export function ceilings(
  users: readonly CeilingUser[],
  geometry: StrideGeometry,
  numClasses: number = NUM_CLASSES,
): Ceilings {
  const grid = gridSide(geometry)
  return {
    perfect: scoreUsers(users, perfectPrediction, numClasses),
    strideIdeal: {
      ...scoreUsers(users, (gt) => strideIdealPrediction(gt, geometry, numClasses), numClasses),
      size: geometry.size,
      stride: geometry.stride,
      mode: geometry.mode ?? 'squash',
      grid,
    },
  }
}
