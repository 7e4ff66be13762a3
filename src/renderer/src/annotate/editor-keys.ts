/**
 * The editor's keyboard and its small UI state (shortcut sheet, remapping, class search): key events go
 * to the action registry (editor/actions.ts) through the remappable bindings, then to the class keys;
 * shortcuts never fire in a text field and Esc hands the keyboard back to the canvas. The ActionContext
 * the actions run against is the session's editor state, read and written in place.
 */
import { computed, reactive, watch, type Ref } from 'vue'
import { performAction, type ActionContext, type EditorAction } from '../editor/actions'
import { ALL_CLASSES, filterClasses, moveHighlight } from '../editor/class-pick'
import {
  actionFor,
  chordOf,
  classForKey,
  isTypingTarget,
  loadBindings,
  rebind,
  shadowsClassKey,
} from '../editor/keymap'
import { useToastStore } from '../stores/toasts'
import type { AnnotateSession } from './session'

export type EditorKeys = ReturnType<typeof createEditorKeys>

export function createEditorKeys(session: AnnotateSession, host: Ref<HTMLDivElement | null>) {
  const toasts = useToastStore()
  const { settings, edit, s } = session
  const ui = reactive({
    showHelp: false,
    remapping: null as EditorAction | null,
    bindings: loadBindings(typeof localStorage === 'undefined' ? null : localStorage),
    search: '',
    /** The class Enter picks in the class search (index into `classes`). */
    searchHighlight: 0,
  })
  const classes = computed(() => filterClasses(ALL_CLASSES, ui.search))
  watch(
    () => ui.search,
    () => (ui.searchHighlight = 0),
  )
  /** The class search field (the class palette registers it). */
  let searchInput: HTMLInputElement | null = null
  const setSearchInput = (el: HTMLInputElement | null): void => {
    searchInput = el
  }

  const ctx: ActionContext = {
    get tool() {
      return settings.tool
    },
    set tool(t) {
      settings.tool = t
    },
    get value() {
      return settings.value
    },
    set value(v) {
      settings.value = v
    },
    get radius() {
      return settings.radius
    },
    set radius(r) {
      settings.radius = r
    },
    get overlayOn() {
      return settings.overlayOn
    },
    set overlayOn(on) {
      settings.overlayOn = on
    },
    get hold() {
      return settings.hold
    },
    set hold(h) {
      settings.hold = h
    },
    get undoDepth() {
      return edit.undoDepth
    },
    get redoDepth() {
      return edit.redoDepth
    },
    get canSave() {
      return s.state === 'ready' || s.state === 'saving'
    },
    get proposalReady() {
      return s.proposalState === 'ready'
    },
    get proposalCount() {
      return s.proposals.length
    },
    pickAccept: () => session.pickAccept(),
    pickClickMask: () => session.clickMask.pick(),
    showFirstProposal: () => void session.chooseProposal(s.proposals[0]?.key ?? null),
    undo: () => session.undo(),
    redo: () => session.redo(),
    save: () => void session.save(undefined, true),
    step: (d) => void session.step(d),
    fit: () => session.editor.value?.fit(),
    actualSize: () => session.editor.value?.actualSize(),
    toggleHelp: () => (ui.showHelp = !ui.showHelp),
    openClassSearch: () => {
      ui.search = ''
      searchInput?.focus()
      searchInput?.select()
    },
  }

  const run = (id: EditorAction): boolean => performAction(id, ctx)

  /** Hands the keyboard back to the canvas (Esc in a field, a class picked by name). */
  function focusCanvas(): void {
    if (document.activeElement instanceof HTMLElement && document.activeElement !== host.value)
      document.activeElement.blur()
    host.value?.focus({ preventScroll: true })
  }

  function pickClass(c: number): void {
    settings.value = c
    if (settings.tool === 'eraser') settings.tool = 'brush'
  }

  /** Keys inside the class search: ↑/↓ move the highlight, Enter picks it, Esc gives up; both return to the canvas. */
  function onSearchKey(e: KeyboardEvent): void {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      ui.searchHighlight = moveHighlight(
        ui.searchHighlight,
        e.key === 'ArrowDown' ? 1 : -1,
        classes.value.length,
      )
      e.preventDefault()
    } else if (e.key === 'Enter') {
      const c = classes.value[ui.searchHighlight]
      if (c) pickClass(c.id)
      ui.search = ''
      focusCanvas()
      e.preventDefault()
    }
  }

  function onKeyDown(e: KeyboardEvent): void {
    const ed = session.editor.value
    if (ui.remapping) {
      if (['Shift', 'Control', 'Alt', 'Meta'].includes(e.key)) return
      e.preventDefault()
      const chord = chordOf(e)
      if (e.key !== 'Escape' && shadowsClassKey(chord))
        toasts.push(
          'info',
          'Key kept for classes',
          `${chord} picks a class (1–0, Shift+1–0); choose another key.`,
        )
      else if (e.key !== 'Escape') ui.bindings = rebind(localStorage, ui.bindings, ui.remapping, chord)
      ui.remapping = null
      return
    }
    if (isTypingTarget(e.target)) {
      // Esc leaves any text field (the class search clears first) and gives the keys back to the canvas.
      if (e.key === 'Escape') {
        if (e.target === searchInput) ui.search = ''
        focusCanvas()
        e.preventDefault()
      }
      return
    }
    if (e.key === ' ') {
      if (ed) ed.spaceHeld = true
      e.preventDefault()
      return
    }
    // Esc closes the sheet before a tool sees it; then the tools (Enter/Esc on a polygon); then Esc leaves.
    if (e.key === 'Escape' && ui.showHelp) {
      ui.showHelp = false
      e.preventDefault()
      return
    }
    if (ed?.toolKey(e.key)) {
      e.preventDefault()
      return
    }
    if (e.key === 'Escape') {
      void session.back()
      e.preventDefault()
      return
    }
    const a = actionFor(ui.bindings, e)
    if (a) {
      // a bound key is the editor's even when its action cannot run now (held repeat, nothing to undo)
      performAction(a, ctx, e.repeat)
      e.preventDefault()
      return
    }
    const c = classForKey(e)
    if (c !== null) {
      pickClass(c)
      e.preventDefault()
    }
  }

  function onKeyUp(e: KeyboardEvent): void {
    if (e.key === ' ' && session.editor.value) session.editor.value.spaceHeld = false
    const a = actionFor(ui.bindings, e)
    if (
      (a === 'imageOnly' && settings.hold === 'image') ||
      (a === 'labelsOnly' && settings.hold === 'labels')
    )
      settings.hold = null
  }

  return { ui, classes, ctx, run, focusCanvas, pickClass, onSearchKey, onKeyDown, onKeyUp, setSearchInput }
}
