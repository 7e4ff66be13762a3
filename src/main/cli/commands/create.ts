import { resolve } from 'node:path'
import { EXIT_OK, parseCommandArgs, printJson, requireString, type CliIo, type Command } from '../args'
import { withStudio } from '../studio-session'

export const createCommand: Command = {
  name: 'create',
  summary: 'create a new, empty project folder',
  usage: `Usage: pss-studio create --project DIR [--name NAME] [--json]

Creates a project in DIR (which must be empty or not exist yet).

Options:
  --project DIR   folder of the new project
  --name NAME     display name (default: the folder's name)
  --json          print the project as JSON`,

  async run(argv: string[], io: CliIo): Promise<number> {
    const opts = parseCommandArgs(argv, {
      project: { type: 'string' },
      name: { type: 'string' },
      json: { type: 'boolean' },
    })
    const path = resolve(requireString(opts.project, 'project'))
    const info = await withStudio('cli', (studio) => studio.api.createProject({ path, name: opts.name }))
    if (opts.json) printJson(io, info)
    else io.out(`Created project "${info.name}" at ${info.path}`)
    return EXIT_OK
  },
}
