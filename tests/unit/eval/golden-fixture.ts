/** The golden set's location, its expected.json typed, and the 1e-6 (percent) comparison. */
import fs from 'node:fs'
import path from 'node:path'
import { expect } from 'vitest'

export const FIXTURE_ROOT = path.join(__dirname, '..', '..', 'fixtures', 'eval')
export const FIXTURES = path.join(FIXTURE_ROOT, 'golden')

/** Agreement required with the numpy reference, in percent units (issue 4, "Done when"). */
export const TOLERANCE = 1e-6

export interface ExpectedUser {
  images: number
  miou_all21: number
  miou_present: number | null
  miou_paper: number | null
  fiou: number
  per_class: number[]
  per_class_present: (number | null)[]
  per_class_images: number[]
  absent_classes: number[]
  per_image: { name: string; fiou: number }[]
  missing: string[]
  resized: string[]
  confusion: number[]
}

export interface Expected {
  num_classes: number
  users: { user1: ExpectedUser; user2: ExpectedUser }
  mean_over_users: {
    users: number
    fiou: number
    miou_all21: number
    miou_present: number
    miou_paper: number
    per_class: number[]
    per_class_present: (number | null)[]
    per_class_images: number[]
  }
  resize: {
    src: string
    cases_2d: { file: string; width: number; height: number }[]
    cases_1d: { src: number; dst: number; index: number[] }[]
  }
}

export function loadExpected(): Expected {
  return JSON.parse(fs.readFileSync(path.join(FIXTURE_ROOT, 'expected.json'), 'utf8')) as Expected
}

/** `actual` within TOLERANCE of `expected`; null (numpy NaN) must meet NaN or null. */
export function expectClose(actual: number | null, expected: number | null, what: string): void {
  if (expected === null) {
    expect(actual === null || Number.isNaN(actual), `${what}: expected undefined (NaN), got ${actual}`).toBe(
      true,
    )
    return
  }
  expect(actual, what).not.toBeNull()
  expect(Math.abs(actual! - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(TOLERANCE)
}
