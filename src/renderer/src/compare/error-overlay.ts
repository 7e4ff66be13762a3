/**
 * Per-pixel comparison of a prediction with the ground truth (and with a baseline run's prediction), as
 * in the paper's Fig. 4 discussion: what a method got right, which kind of mistake it made, and where
 * adaptation helped or hurt. Pure functions over label maps (row-major class indices, 255 = void).
 */

export const VOID = 255

/** Per-pixel error codes. */
export const ErrorCode = {
  Ignore: 0,
  Correct: 1,
  /** Foreground in GT and prediction, but another class. */
  WrongClass: 2,
  /** Foreground in GT, background predicted. */
  Missed: 3,
  /** Background in GT, foreground predicted. */
  FalseForeground: 4,
} as const
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode]

export const ERROR_LABELS: Record<ErrorCode, string> = {
  0: 'void',
  1: 'correct',
  2: 'wrong class',
  3: 'missed',
  4: 'false foreground',
}

/** Overlay colours RGBA (correct is faint so mistakes stand out). */
export const ERROR_COLORS: Record<ErrorCode, readonly [number, number, number, number]> = {
  0: [0, 0, 0, 0],
  1: [60, 200, 120, 70],
  2: [235, 64, 52, 220],
  3: [60, 130, 255, 220],
  4: [255, 170, 0, 220],
}

export function errorCode(gt: number, pred: number): ErrorCode {
  if (gt === VOID) return ErrorCode.Ignore
  if (gt === pred) return ErrorCode.Correct
  if (gt === 0) return ErrorCode.FalseForeground
  if (pred === 0 || pred === VOID) return ErrorCode.Missed
  return ErrorCode.WrongClass
}

function sameLength(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  if (a.length !== b.length)
    throw new Error(`${what}: ${a.length} ground-truth pixels but ${b.length} predicted`)
}

export function classifyErrors(gt: ArrayLike<number>, pred: ArrayLike<number>): Uint8Array {
  sameLength(gt, pred, 'error overlay')
  const out = new Uint8Array(gt.length)
  for (let i = 0; i < gt.length; i++) out[i] = errorCode(gt[i]!, pred[i]!)
  return out
}

/** Helped/hurt against a baseline: right now and wrong before, or the reverse. */
export const ChangeCode = { Same: 0, Helped: 1, Hurt: 2 } as const
export type ChangeCode = (typeof ChangeCode)[keyof typeof ChangeCode]

export const CHANGE_COLORS: Record<ChangeCode, readonly [number, number, number, number]> = {
  0: [0, 0, 0, 0],
  1: [40, 210, 110, 220],
  2: [235, 50, 90, 220],
}

export function helpedHurt(
  gt: ArrayLike<number>,
  pred: ArrayLike<number>,
  base: ArrayLike<number>,
): Uint8Array {
  sameLength(gt, pred, 'helped/hurt map')
  sameLength(gt, base, 'helped/hurt map (baseline)')
  const out = new Uint8Array(gt.length)
  for (let i = 0; i < gt.length; i++) {
    const g = gt[i]!
    if (g === VOID) continue
    const now = pred[i] === g
    const before = base[i] === g
    out[i] = now && !before ? ChangeCode.Helped : !now && before ? ChangeCode.Hurt : ChangeCode.Same
  }
  return out
}

/** How many pixels carry each code (index = code). */
export function countCodes(codes: Uint8Array, size: number): number[] {
  const counts = new Array<number>(size).fill(0)
  for (const c of codes) counts[c] = (counts[c] ?? 0) + 1
  return counts
}

/** RGBA bytes of a code map, for an ImageData. */
export function codesToRgba(
  codes: Uint8Array,
  colors: Record<number, readonly [number, number, number, number]>,
): Uint8ClampedArray {
  const out = new Uint8ClampedArray(codes.length * 4)
  for (let i = 0; i < codes.length; i++) {
    const c = colors[codes[i]!] ?? [0, 0, 0, 0]
    out.set(c, i * 4)
  }
  return out
}
