/**
 * The question "New split" asks before drawing: a new split changes which images are validation (and so
 * what every later run is scored on), so it is never one stray click. Says what is drawn and what stays.
 */
import type { SplitInfo } from '../../../shared/annotation'

export function newSplitQuestion(current: SplitInfo | null, fraction: number, seed: number): string {
  const draw = `Draw a new validation split (${Math.round(fraction * 100)}% of the album, seed ${seed})?`
  if (!current) return `${draw} D/A then walk its validation images.`
  const annotated =
    current.validationAnnotated > 0
      ? ` The current split (version ${current.version}) has ${current.validationAnnotated} annotated validation images; their masks stay, but images the new split does not draw stop being validation.`
      : ` The current split (version ${current.version}) has no annotated validation images yet.`
  return `${draw}${annotated} It is stored as version ${current.version + 1}; the old split stays in the history. Runs scored on the old split are not comparable with runs on the new one.`
}
