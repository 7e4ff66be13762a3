/**
 * The album dialogs' action state (useDialogAction): busy while the action runs, a second submit while
 * busy is ignored, the error of a failed action is shown and cleared by the next try.
 */
import { describe, expect, it } from 'vitest'
import { StudioError } from '../../src/renderer/src/api/studio-error'
import { useDialogAction } from '../../src/renderer/src/library/use-dialog-action'

describe('useDialogAction', () => {
  it('is busy while the action runs and ignores a second run meanwhile', async () => {
    const a = useDialogAction()
    let release = (): void => {}
    let calls = 0
    const first = a.run(async () => {
      calls++
      await new Promise<void>((r) => (release = r))
    })
    expect(a.busy.value).toBe(true)
    await a.run(async () => {
      calls++
    })
    expect(calls).toBe(1)
    release()
    await first
    expect(a.busy.value).toBe(false)
    expect(a.error.value).toBeNull()
  })

  it('records the message of a failed action and clears it on the next try', async () => {
    const a = useDialogAction()
    await a.run(async () => {
      throw new StudioError('CONFLICT', 'An album named “Trip” already exists')
    })
    expect(a.error.value).toBe('An album named “Trip” already exists')
    expect(a.busy.value).toBe(false)
    let seen: string | null = 'unset'
    await a.run(async () => {
      seen = a.error.value
    })
    expect(seen).toBeNull()
    expect(a.error.value).toBeNull()
  })
})
