import { resolve } from 'node:path'
import { ensureDemoProject } from '../../app/demo-project'
import { EXIT_OK, parseCommandArgs, printJson, requireString, type CliIo, type Command } from '../args'

export const demoProjectCommand: Command = {
  name: 'demo-project',
  summary: 'create the demo project in DIR unless it is already there',
  usage: `Usage: pss-studio demo-project --dir DIR [--json]

Creates the demo project (a synthetic personalized dataset, imported) in DIR. Does nothing when DIR
already holds it. Used by \`npm start\`.

Options:
  --dir DIR   where the demo project lives
  --json      print the result as JSON`,

  async run(argv: string[], io: CliIo): Promise<number> {
    const opts = parseCommandArgs(argv, { dir: { type: 'string' }, json: { type: 'boolean' } })
    const dir = resolve(requireString(opts.dir, 'dir'))
    const result = await ensureDemoProject(dir, { log: (line) => io.err(line) })
    for (const problem of result.problems) io.err(`problem: ${problem}`)
    if (opts.json) printJson(io, result)
    else if (result.created)
      io.out(`Created the demo project at ${result.path} (${result.albums} albums, ${result.images} images)`)
    else io.out(`The demo project is already at ${result.path}`)
    return EXIT_OK
  },
}
