/**
 * Is a primary action really usable on screen? A probe run inside the page (as source text: the e2e
 * project type-checks for Node, without the DOM library). For each selector it names what is wrong:
 * missing, no size, outside the viewport, clipped by a scrolling/clipping ancestor (an overflowing
 * toolbar), text cut by its own box, a name wrapped onto several lines, a menu narrower than its chosen
 * entry, or covered by something else at its centre. It also reports the page's scroll width.
 */
import type { Page } from 'playwright-core'

export interface ScreenFit {
  scrollWidth: number
  innerWidth: number
  /** "<selector>: <what is wrong>", one per element that is not fully on screen. */
  problems: string[]
}

const PROBE = String.raw`
(selectors) => {
  function reason(el) {
    var r = el.getBoundingClientRect()
    var w = window.innerWidth
    var h = window.innerHeight
    if (r.width < 1 || r.height < 1) return 'has no size (' + r.width + 'x' + r.height + ')'
    if (r.left < -0.5 || r.top < -0.5 || r.right > w + 0.5 || r.bottom > h + 0.5)
      return 'box ' + Math.round(r.left) + ',' + Math.round(r.top) + '-' + Math.round(r.right) + ',' + Math.round(r.bottom) +
        ' is outside the ' + w + 'x' + h + ' viewport'
    // A scrolling or clipping ancestor (an overflowing toolbar) hides what lies past its edges.
    for (var a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      var s = getComputedStyle(a)
      if (s.overflowX === 'visible' && s.overflowY === 'visible') continue
      var c = a.getBoundingClientRect()
      if (r.left < c.left - 0.5 || r.right > c.right + 0.5 || r.top < c.top - 0.5 || r.bottom > c.bottom + 0.5)
        return 'clipped by <' + a.tagName.toLowerCase() + ' class="' + a.className + '"> (' + Math.round(c.left) + '-' + Math.round(c.right) + ')'
    }
    var own = getComputedStyle(el)
    // Text cut by its own box (a label or a file name squeezed to nothing); an ellipsis is a choice.
    if (el.scrollWidth > el.clientWidth + 1 && own.overflowX !== 'visible' && own.textOverflow !== 'ellipsis')
      return 'its text is cut (' + el.scrollWidth + ' > ' + el.clientWidth + ' px)'
    // A name squeezed onto several lines (the project name in the top bar).
    if (el.tagName === 'SPAN') {
      var line = own.lineHeight === 'normal' ? parseFloat(own.fontSize) * 1.25 : parseFloat(own.lineHeight)
      if (r.height > line * 1.6) return 'wraps onto ' + Math.round(r.height / line) + ' lines'
    }
    // A menu narrower than its chosen entry ("UMAP" shown as "UMA"); 16 px for the arrow.
    if (el.tagName === 'SELECT' && el.selectedOptions[0]) {
      var ctx = document.createElement('canvas').getContext('2d')
      ctx.font = own.fontWeight + ' ' + own.fontSize + ' ' + own.fontFamily
      var label = el.selectedOptions[0].text
      var text = ctx.measureText(label).width
      var room = el.clientWidth - parseFloat(own.paddingLeft) - parseFloat(own.paddingRight)
      if (room < text + 16) return 'too narrow for "' + label + '" (' + Math.round(room) + ' px for ' + Math.round(text) + ' px of text)'
    }
    var hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2)
    if (!hit || !(el === hit || el.contains(hit) || hit.contains(el)))
      return 'covered by <' + (hit ? hit.tagName.toLowerCase() + ' class="' + hit.className + '"' : 'nothing') + '>'
    return null
  }
  var problems = []
  for (var i = 0; i < selectors.length; i++) {
    var el = document.querySelector(selectors[i])
    var why = el ? reason(el) : 'missing'
    if (why) problems.push(selectors[i] + ': ' + why)
  }
  return { scrollWidth: document.scrollingElement.scrollWidth, innerWidth: window.innerWidth, problems: problems }
}`

/** Checks the page's sideways scroll and each selector's element (the first match) in `page`. */
export function screenFit(page: Page, selectors: string[]): Promise<ScreenFit> {
  return page.evaluate(`(${PROBE})(${JSON.stringify(selectors)})`) as Promise<ScreenFit>
}
