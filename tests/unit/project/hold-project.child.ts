/**
 * Child process for the cross-process lock test: opens (or creates) a project with the real store,
 * prints "open <pid>", and holds it until killed or until stdin closes.
 */
import { Project } from '../../../src/main/project/project'

const [mode, root] = process.argv.slice(2)
if (!root || (mode !== 'create' && mode !== 'open'))
  throw new Error('usage: hold-project.child.ts create|open ROOT')
try {
  const p = mode === 'create' ? Project.create(root) : Project.open(root)
  process.stdout.write(`open ${process.pid}\n`)
  process.stdin.resume()
  process.stdin.on('end', () => {
    p.close()
    process.exit(0)
  })
} catch (e) {
  process.stdout.write(`error ${(e as { code?: string }).code ?? ''} ${(e as Error).message}\n`)
  process.exit(3)
}
