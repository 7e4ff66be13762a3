/**
 * Content-Security-Policy for the renderer page, shared by the browser-mode server and Electron.
 * Scripts only from our own origin (no inline, no eval); styles allow inline because Vue and Konva
 * set style attributes; images may also be blob:/data: (canvas exports).
 */
export interface CspOptions {
  /** Extra connect-src sources (the WebSocket origins in browser mode). */
  connect?: string[]
  /** Extra img-src sources (the media protocol in Electron). */
  img?: string[]
}

export function contentSecurityPolicy(opts: CspOptions = {}): string {
  const directives: [string, string[]][] = [
    ['default-src', ["'self'"]],
    ['script-src', ["'self'"]],
    ['style-src', ["'self'", "'unsafe-inline'"]],
    ['img-src', ["'self'", 'blob:', 'data:', ...(opts.img ?? [])]],
    ['connect-src', ["'self'", ...(opts.connect ?? [])]],
    ['object-src', ["'none'"]],
    ['base-uri', ["'self'"]],
    ['form-action', ["'self'"]],
    ['frame-ancestors', ["'none'"]],
  ]
  return directives.map(([name, sources]) => `${name} ${sources.join(' ')}`).join('; ')
}
