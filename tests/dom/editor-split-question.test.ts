/** "New split" always asks, and the question says what is drawn, what stays and what it means for runs. */
import { describe, expect, it } from 'vitest'
import type { SplitInfo } from '../../src/shared/annotation'
import { newSplitQuestion } from '../../src/renderer/src/annotate/split-question'

const split = (validationAnnotated: number): SplitInfo => ({
  id: 3,
  albumId: 1,
  version: 2,
  name: 'split v2',
  createdAt: '2026-01-01T00:00:00Z',
  seed: 1,
  fraction: 0.3,
  clusteringId: null,
  imageCount: 40,
  validationCount: 12,
  validationAnnotated,
  coverage: [],
})

describe('newSplitQuestion', () => {
  it('names the fraction and seed, and the first split has no history to keep', () => {
    const q = newSplitQuestion(null, 0.25, 7)
    expect(q).toContain('25% of the album, seed 7')
    expect(q).not.toContain('version')
  })

  it('says how many masks the current split holds, the next version number and that runs stop being comparable', () => {
    const q = newSplitQuestion(split(5), 0.3, 1)
    expect(q).toContain('version 2) has 5 annotated validation images')
    expect(q).toContain('stored as version 3')
    expect(q).toContain('not comparable')
    expect(newSplitQuestion(split(0), 0.3, 1)).toContain('no annotated validation images yet')
  })
})
