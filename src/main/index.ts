/**
 * Electron entry: one window, one studio. The window loads the built renderer from the privileged
 * `pss-app://studio` protocol (CSP set on its responses), talks to the studio only through the
 * preload's named functions (IPC `studio:<method>`), and reads media through the studio's
 * `resolveMedia` (never a file path).
 *
 *   electron . [--project DIR]
 */
import { app, BrowserWindow, dialog, ipcMain, protocol } from 'electron'
import { join } from 'node:path'
import { Studio } from './app/studio'
import { StaticFiles } from './server/static-route'
import { EVENT_CHANNEL } from './electron/channels'
import { forwardEvents, registerApiHandlers } from './electron/ipc-handlers'
import { installMenu } from './electron/menu'
import { isTrustedFrame } from './electron/navigation'
import { APP_SCHEME, MEDIA_SCHEME, appProtocolResponse, mediaProtocolResponse } from './electron/protocols'
import { allowedOrigins, createMainWindow } from './electron/window'

// Must happen before `ready`: standard + secure gives the schemes real origins, fetch and CSP 'self'.
protocol.registerSchemesAsPrivileged([
  {
    scheme: APP_SCHEME,
    privileges: {
      standard: true,
      secure: true,
      supportFetchAPI: true,
      corsEnabled: true,
      stream: true,
      codeCache: true,
    },
  },
  {
    scheme: MEDIA_SCHEME,
    privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true, stream: true },
  },
])

/** `--project DIR` or `--project=DIR` from Electron's argv. */
function projectArg(argv: readonly string[]): string | null {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    if (a === '--project') return argv[i + 1] ?? null
    if (a.startsWith('--project=')) return a.slice('--project='.length)
  }
  return null
}

async function main(): Promise<void> {
  await app.whenReady()
  const devServerUrl = !app.isPackaged ? (process.env.ELECTRON_RENDERER_URL ?? null) : null
  const allowed = allowedOrigins(devServerUrl)
  let win: BrowserWindow | null = null

  const studio = new Studio({
    mode: 'electron',
    pickDirectory: async (title?: string) => {
      const options = {
        title: title ?? 'Choose a folder',
        properties: ['openDirectory', 'createDirectory'] as ('openDirectory' | 'createDirectory')[],
      }
      const r = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options)
      return r.canceled ? null : (r.filePaths[0] ?? null)
    },
    pickFile: async (title?: string, extensions?: string[]) => {
      const options = {
        title: title ?? 'Choose a file',
        properties: ['openFile'] as 'openFile'[],
        filters: extensions && extensions.length > 0 ? [{ name: extensions.join(', '), extensions }] : [],
      }
      const r = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options)
      return r.canceled ? null : (r.filePaths[0] ?? null)
    },
  })

  const files = new StaticFiles(join(__dirname, '../renderer'))
  protocol.handle(APP_SCHEME, (request) => appProtocolResponse(studio, files, request.url))
  protocol.handle(MEDIA_SCHEME, (request) => mediaProtocolResponse(studio, request.url))
  registerApiHandlers(ipcMain, studio, {
    isTrustedSender: (event) => {
      const e = event as Electron.IpcMainInvokeEvent
      return win !== null && e.sender === win.webContents && isTrustedFrame(e.senderFrame, allowed)
    },
  })
  installMenu(devServerUrl !== null)

  const project = projectArg(process.argv)
  if (project) {
    try {
      await studio.openProjectPath(project)
    } catch (err) {
      dialog.showErrorBox('PSS Studio', `Could not open the project ${project}: ${(err as Error).message}`)
    }
  }

  win = createMainWindow({ preloadPath: join(__dirname, '../preload'), devServerUrl })
  const stopEvents = forwardEvents(studio, (message) => {
    if (win && !win.isDestroyed()) win.webContents.send(EVENT_CHANNEL, message)
  })
  win.on('closed', () => {
    win = null
  })

  app.on('second-instance', () => {
    if (!win) return
    if (win.isMinimized()) win.restore()
    win.focus()
  })
  // One window, one open project: closing it ends the app on every platform.
  app.on('window-all-closed', () => app.quit())
  let closed = false
  app.on('will-quit', (event) => {
    if (closed) return
    // Release the project lock and stop jobs before the process goes.
    event.preventDefault()
    stopEvents()
    studio
      .close()
      .catch((err: unknown) => console.error('PSS Studio: closing the project failed:', err))
      .finally(() => {
        closed = true
        app.quit()
      })
  })
}

// A second instance would fight over the project lock: hand over to the first one instead.
if (!app.requestSingleInstanceLock()) {
  app.quit()
} else {
  main().catch((err: unknown) => {
    dialog.showErrorBox(
      'PSS Studio could not start',
      err instanceof Error ? (err.stack ?? err.message) : String(err),
    )
    app.exit(1)
  })
}
