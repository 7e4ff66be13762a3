/**
 * Child process for the procfs test: runs createProject, exportMasks and `pss-studio create` on paths
 * under /proc and prints one JSON line with each call's time and error. In a child because the failure
 * it guards against is a synchronous endless loop, which no in-process timeout can stop.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Studio } from '../../../src/main/app/studio'
import { runCli } from '../../../src/main/cli/run'

interface Outcome {
  ms: number
  code: string | null
  message: string | null
}

async function timed(fn: () => Promise<unknown>): Promise<Outcome> {
  const t0 = performance.now()
  try {
    await fn()
    return { ms: performance.now() - t0, code: null, message: null }
  } catch (e) {
    const code = (e as { code?: unknown }).code
    return {
      ms: performance.now() - t0,
      code: typeof code === 'string' ? code : null,
      message: (e as Error).message,
    }
  }
}

async function main(): Promise<void> {
  const [bad] = process.argv.slice(2)
  if (!bad) throw new Error('usage: procfs-paths.child.ts /proc/PATH')
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'pss-procfs-home-'))
  const projectDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pss-procfs-project-'))
  const studio = new Studio({ mode: 'cli', homeDir: home })
  try {
    const create = await timed(() => studio.api.createProject({ path: bad }))
    await studio.api.createProject({ path: path.join(projectDir, 'p') })
    const albumId = studio.currentProject().albums.create('album', null)
    const exported = await timed(() => studio.api.exportMasks({ albumId, format: 'voc', out: bad }))
    await studio.close()
    const err: string[] = []
    const t0 = performance.now()
    const exit = await runCli(['create', '--project', bad], {
      out: () => {},
      err: (l) => err.push(l),
      signal: new AbortController().signal,
    })
    const cli = { ms: performance.now() - t0, exit, err: err.join('\n') }
    process.stdout.write(`${JSON.stringify({ create, exported, cli })}\n`)
  } finally {
    await studio.close()
    fs.rmSync(home, { recursive: true, force: true })
    fs.rmSync(projectDir, { recursive: true, force: true })
  }
}

main().catch((e: unknown) => {
  process.stdout.write(`${JSON.stringify({ crash: (e as Error).stack ?? String(e) })}\n`)
  process.exit(3)
})
