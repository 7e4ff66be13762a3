/** The main window: locked-down web preferences, navigation guards, no permissions, no webviews. */
import { BrowserWindow, session } from 'electron'
import { join } from 'node:path'
import { sameOrigin } from './navigation'
import { APP_INDEX_URL, APP_ORIGIN, ELECTRON_CSP } from './protocols'

export interface WindowOptions {
  /** Folder of the built preload (out/preload). */
  preloadPath: string
  /** Vite dev server URL in `electron-vite dev`; null in a built app. */
  devServerUrl: string | null
}

/** In development the page comes from Vite over http: give those responses the CSP too. */
function applyDevCsp(devServerUrl: string): void {
  const dev = new URL(devServerUrl)
  const csp = ELECTRON_CSP.replace("connect-src 'self'", `connect-src 'self' ws://${dev.host}`)
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    const headers = { ...details.responseHeaders }
    if (sameOrigin(details.url, [dev.origin])) headers['Content-Security-Policy'] = [csp]
    callback({ responseHeaders: headers })
  })
}

/** Origins the window may show (and whose top frame may call the studio). */
export function allowedOrigins(devServerUrl: string | null): string[] {
  return devServerUrl ? [APP_ORIGIN, new URL(devServerUrl).origin] : [APP_ORIGIN]
}

export function createMainWindow(opts: WindowOptions): BrowserWindow {
  const allowed = allowedOrigins(opts.devServerUrl)
  if (opts.devServerUrl) applyDevCsp(opts.devServerUrl)
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false))

  const win = new BrowserWindow({
    width: 1400,
    height: 900,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'PSS Studio',
    webPreferences: {
      preload: join(opts.preloadPath, 'index.js'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  })
  win.once('ready-to-show', () => win.show())

  const wc = win.webContents
  wc.on('will-navigate', (event, url) => {
    if (!sameOrigin(url, allowed)) event.preventDefault()
  })
  wc.on('will-redirect', (event, url) => {
    if (!sameOrigin(url, allowed)) event.preventDefault()
  })
  wc.setWindowOpenHandler(() => ({ action: 'deny' }))
  wc.on('will-attach-webview', (event) => event.preventDefault())

  void win.loadURL(opts.devServerUrl ?? APP_INDEX_URL)
  return win
}
