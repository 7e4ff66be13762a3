/**
 * What the in-page benchmarks share: the built CLI serving a project in browser mode (a child process;
 * its URL read from the line it prints) and Debian's Chromium, headless, with the flags these machines need.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { chromium, type Browser } from 'playwright-core'

export async function serveProject(
  cliJs: string,
  projectDir: string,
  env: NodeJS.ProcessEnv,
): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [cliJs, 'serve', '--port', '0', '--project', projectDir], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const url = await new Promise<string>((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => reject(new Error(`serve printed no URL in 60 s:\n${out}`)), 60_000)
    const onData = (c: Buffer): void => {
      out += c.toString()
      const m = /PSS Studio \(browser mode\): (http:\/\/\S+)/.exec(out)
      if (m) {
        clearTimeout(timer)
        resolve(m[1]!)
      }
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}:\n${out}`)))
  })
  return { url, child }
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  })
}
