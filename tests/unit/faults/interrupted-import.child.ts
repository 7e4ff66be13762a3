/**
 * Child process of interrupted-import.test.ts: opens a project, starts a folder import and keeps running
 * until the parent kills it (SIGKILL: no close handler, no cancel — what a crash or a power cut leaves).
 * argv: <project> <home> <dir> <albumName>
 */
import { Studio } from '../../../src/main/app/studio'

async function main(): Promise<void> {
  const [project, home, dir, albumName] = process.argv.slice(2)
  const studio = new Studio({ mode: 'cli', homeDir: home! })
  await studio.openProjectPath(project!)
  const r = await studio.api.importFolder({ dir: dir!, albumName: albumName! })
  process.stdout.write(`${JSON.stringify(r)}\n`)
  await new Promise(() => {})
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`)
  process.exit(1)
})
