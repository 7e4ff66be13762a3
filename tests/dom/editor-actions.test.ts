/**
 * The editor's action registry (editor/actions.ts) is the one list the keymap, the toolbar and the
 * shortcut sheet read: every action has a unique id and default key that no class key shadows, each key
 * maps to exactly one action (also after a remap), the sheet lists every action with its key, the
 * toolbar's tool buttons come from it, and `performAction` honours `enabled` and `noRepeat`.
 */
import { describe, expect, it } from 'vitest'
import { createApp, defineComponent, h, nextTick, reactive, type Component } from 'vue'
import {
  ACTIONS,
  performAction,
  TOOL_ACTIONS,
  type ActionContext,
  type EditorAction,
} from '../../src/renderer/src/editor/actions'
import {
  actionFor,
  DEFAULT_BINDINGS,
  EDITOR_ACTIONS,
  normaliseChord,
  rebind,
  shadowsClassKey,
} from '../../src/renderer/src/editor/keymap'
import type { Tool } from '../../src/renderer/src/editor/mask-editor'
import { provideAnnotate, type AnnotateContext } from '../../src/renderer/src/annotate/context'
import ShortcutSheet from '../../src/renderer/src/annotate/ShortcutSheet.vue'
import AnnotateToolbar from '../../src/renderer/src/annotate/AnnotateToolbar.vue'

/** The key event a chord in binding notation stands for ("ctrl+shift+z", "shift+r", "?"). */
function eventOf(chord: string) {
  const parts = chord.split('+')
  const key = parts.pop()!
  const shift = parts.includes('shift')
  return {
    key: shift && /^[a-z]$/.test(key) ? key.toUpperCase() : key,
    ctrlKey: parts.includes('ctrl'),
    metaKey: false,
    shiftKey: shift || key === '?',
    altKey: parts.includes('alt'),
  }
}

/** An ActionContext that records what the actions asked for. */
function fakeContext(over: Partial<ActionContext> = {}): ActionContext & { calls: string[] } {
  const calls: string[] = []
  return {
    calls,
    tool: 'brush' as Tool,
    value: 15,
    radius: 8,
    overlayOn: true,
    hold: null,
    undoDepth: 0,
    redoDepth: 0,
    canSave: true,
    proposalReady: false,
    proposalCount: 0,
    pickAccept: () => calls.push('pickAccept'),
    pickClickMask: () => calls.push('pickClickMask'),
    showFirstProposal: () => calls.push('showFirstProposal'),
    undo: () => calls.push('undo'),
    redo: () => calls.push('redo'),
    save: () => calls.push('save'),
    step: (d) => calls.push(`step ${d}`),
    fit: () => calls.push('fit'),
    actualSize: () => calls.push('actualSize'),
    toggleHelp: () => calls.push('toggleHelp'),
    openClassSearch: () => calls.push('openClassSearch'),
    ...over,
  }
}

/** Mounts a panel inside a provided (partial) editor context; returns its root element and an unmount. */
function mountWith(panel: Component, ctx: unknown): { root: HTMLElement; unmount: () => void } {
  const root = document.createElement('div')
  document.body.append(root)
  const app = createApp(
    defineComponent({
      setup() {
        provideAnnotate(ctx as AnnotateContext)
        return () => h(panel)
      },
    }),
  )
  app.mount(root)
  return { root, unmount: () => (app.unmount(), root.remove()) }
}

describe('action registry', () => {
  it('gives every action a unique id, label and default key, none on a class key', () => {
    const ids = ACTIONS.map((a) => a.id)
    expect(new Set(ids).size).toBe(ids.length)
    const keys = ACTIONS.map((a) => normaliseChord(a.defaultKey))
    expect(new Set(keys).size).toBe(keys.length)
    for (const a of ACTIONS) {
      expect(a.label.trim(), a.id).not.toBe('')
      expect(shadowsClassKey(a.defaultKey), `${a.id}: ${a.defaultKey}`).toBe(false)
    }
    // the keymap's tables are the registry, not a second copy of it
    expect(Object.keys(EDITOR_ACTIONS)).toEqual(ids)
    expect(Object.keys(DEFAULT_BINDINGS)).toEqual(ids)
  })

  it('maps each default key to exactly its own action, and still one action per key after a remap', () => {
    for (const a of ACTIONS)
      expect(actionFor(DEFAULT_BINDINGS, eventOf(a.defaultKey)), a.defaultKey).toBe(a.id)
    // moving "d" (next) onto fit: fit now answers d, next answers nothing, f answers nothing
    const store = new Map<string, string>()
    const storage = {
      getItem: (k: string) => store.get(k) ?? null,
      setItem: (k: string, v: string) => void store.set(k, v),
    }
    const moved = rebind(storage, DEFAULT_BINDINGS, 'fit', 'd')
    expect(actionFor(moved, eventOf('d'))).toBe('fit')
    expect(actionFor(moved, eventOf('f'))).toBeNull()
    expect(moved.next).toBe('')
    const bound = Object.values(moved)
      .filter((c) => c !== '')
      .map(normaliseChord)
    expect(new Set(bound).size).toBe(bound.length)
  })

  it('runs an action only when it is enabled, and never a no-repeat action from a held key', () => {
    const ctx = fakeContext()
    expect(performAction('undo', ctx)).toBe(false) // nothing to undo
    expect(performAction('redo', ctx)).toBe(false)
    Object.assign(ctx, { undoDepth: 2 })
    expect(performAction('undo', ctx)).toBe(true)
    expect(performAction('next', ctx, true)).toBe(false) // auto-repeat of D would skip images
    expect(performAction('next', ctx)).toBe(true)
    expect(performAction('prev', ctx)).toBe(true)
    expect(performAction('save', fakeContext({ canSave: false }))).toBe(false)
    expect(ctx.calls).toEqual(['undo', 'step 1', 'step -1'])
  })

  it('picks tools, changes the brush and the overlay, and reaches proposals through their state', () => {
    const ctx = fakeContext()
    for (const t of ['eraser', 'polygon', 'wand', 'superpixel', 'brush'] as const) {
      performAction(t, ctx)
      expect(ctx.tool).toBe(t)
    }
    performAction('bigger', ctx)
    expect(ctx.radius).toBe(10.5)
    performAction('smaller', ctx)
    expect(ctx.radius).toBe(8.5)
    performAction('toggleOverlay', ctx)
    expect(ctx.overlayOn).toBe(false)
    performAction('ignore', ctx)
    expect(ctx.value).toBe(255)
    // no proposal at all: R does nothing; one listed: R shows it; one shown: R accepts, Shift+R rejects
    expect(performAction('prediction', ctx)).toBe(false)
    Object.assign(ctx, { proposalCount: 1 })
    performAction('prediction', ctx)
    expect(ctx.calls).toEqual(['showFirstProposal'])
    Object.assign(ctx, { proposalReady: true })
    performAction('prediction', ctx)
    performAction('reject', ctx)
    expect(ctx.calls).toEqual(['showFirstProposal', 'pickAccept'])
    expect(ctx.tool).toBe('reject')
  })
})

describe('panels read the registry', () => {
  it('the shortcut sheet lists every action with its current key, and a click starts remapping it', async () => {
    const ui = reactive({
      showHelp: true,
      remapping: null as EditorAction | null,
      bindings: { ...DEFAULT_BINDINGS, fit: 'g' },
    })
    const { root, unmount } = mountWith(ShortcutSheet, { keys: { ui } })
    const rows = [...root.querySelectorAll<HTMLElement>('[data-action]')]
    expect(rows.map((r) => r.dataset.action)).toEqual(ACTIONS.map((a) => a.id))
    for (const [i, a] of ACTIONS.entries()) {
      expect(rows[i]!.textContent, a.id).toContain(a.label)
      expect(rows[i]!.querySelector('kbd')!.textContent, a.id).toBe(a.id === 'fit' ? 'g' : a.defaultKey)
    }
    rows.find((r) => r.dataset.action === 'save')!.click()
    await nextTick()
    expect(ui.remapping).toBe('save')
    expect(root.querySelector('[data-action="save"] kbd')!.textContent).toBe('press a key…')
    unmount()
  })

  it('the toolbar shows one button per tool action and runs the action on click', async () => {
    const ran: string[] = []
    const settings = reactive({
      tool: 'brush',
      radius: 8,
      tolerance: 24,
      regionSize: 24,
      mode: 'overwrite',
      overlayOn: true,
      opacity: 0.6,
    })
    const session = {
      s: reactive({ state: 'ready', detail: null, queue: null }),
      settings,
      edit: reactive({ dirty: false, undoDepth: 0, redoDepth: 0 }),
      derived: reactive({ position: -1 }),
      back: () => ran.push('back'),
    }
    const keys = {
      ui: reactive({ bindings: { ...DEFAULT_BINDINGS } }),
      ctx: fakeContext(),
      run: (id: string) => ran.push(id),
    }
    const { root, unmount } = mountWith(AnnotateToolbar, { session, keys })
    const buttons = [...root.querySelectorAll<HTMLButtonElement>('[data-testid^="tool-"]')]
    expect(buttons.map((b) => b.dataset.testid)).toEqual(TOOL_ACTIONS.map((a) => `tool-${a.id}`))
    expect(buttons.map((b) => b.title)).toEqual(TOOL_ACTIONS.map((a) => `${a.toolButton} (${a.defaultKey})`))
    buttons[3]!.click()
    root.querySelector<HTMLButtonElement>('[data-testid="annotate-help"]')!.click()
    expect(ran).toEqual([TOOL_ACTIONS[3]!.id, 'help'])
    // undo is disabled while the registry says so (nothing to undo)
    expect(root.querySelector<HTMLButtonElement>('[data-testid="annotate-undo"]')!.disabled).toBe(true)
    unmount()
  })
})
