/**
 * Which screen is showing, kept in the URL hash so reload and back/forward work. A screen holding
 * unsaved work registers a leave guard: every way out (a link, back/forward, closing the project) asks it
 * first, and it may keep the user there — or save and then let them go on with `proceed`.
 */
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { formatRoute, parseRoute, type LibraryTarget, type Route } from '../nav/route'

/**
 * Returns true to let the user leave now; false to keep them (after asking). `proceed` does the leaving
 * later, e.g. once the unsaved work is stored.
 */
export type LeaveGuard = (proceed: () => void) => boolean

export const useNavStore = defineStore('nav', () => {
  const route = ref<Route>(parseRoute(typeof location === 'undefined' ? '' : location.hash))
  const guards = new Set<LeaveGuard>()

  const target = computed<LibraryTarget | null>(() =>
    route.value.name === 'start' || route.value.name === 'results' ? null : route.value.target,
  )

  /** Registers a guard; returns the function that removes it. */
  function addLeaveGuard(guard: LeaveGuard): () => void {
    guards.add(guard)
    return () => guards.delete(guard)
  }

  /** Runs `action` (which leaves the current screen) if every guard agrees; returns whether it ran now. */
  function leave(action: () => void): boolean {
    for (const g of guards) if (!g(() => leave(action))) return false
    action()
    return true
  }

  function show(next: Route, replace: boolean): void {
    route.value = next
    const hash = formatRoute(next)
    if (typeof location !== 'undefined' && location.hash !== hash) {
      if (replace) history.replaceState(history.state, '', hash)
      else history.pushState(history.state, '', hash)
    }
  }

  /** Goes to `next` unless a guard keeps the user here; returns whether it went. */
  function go(next: Route, replace = false): boolean {
    if (formatRoute(next) === formatRoute(route.value)) {
      show(next, replace)
      return true
    }
    return leave(() => show(next, replace))
  }

  /** Follows the address bar (back/forward, typed hash, links); a guard that says no puts the address back. */
  function syncFromLocation(): void {
    const next = parseRoute(location.hash)
    if (formatRoute(next) === formatRoute(route.value)) {
      route.value = next
      return
    }
    const went = leave(() => show(next, false))
    if (!went) history.replaceState(history.state, '', formatRoute(route.value))
  }

  return { route, target, go, leave, addLeaveGuard, syncFromLocation }
})
