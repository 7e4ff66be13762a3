/** The `pss-studio` command line: picks the command, prints usage, maps failures to exit codes. */
import { toApiError } from '../app/api-error'
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError, type CliIo, type Command } from './args'
import { backendCommand } from './commands/backend'
import { benchCommand } from './commands/bench'
import { clusterCommand } from './commands/cluster'
import { cosegCommand } from './commands/coseg'
import { createCommand } from './commands/create'
import { demoCommand } from './commands/demo'
import { demoProjectCommand } from './commands/demo-project'
import { evalCommand } from './commands/eval'
import { exportCommand } from './commands/export'
import { importCommand } from './commands/import'
import { runCommand } from './commands/run'
import { runsCommand } from './commands/runs'
import { snapshotsCommand } from './commands/snapshots'
import { variantCommand } from './commands/variant'
import { infoCommand } from './commands/info'
import { predictCommand } from './commands/predict'
import { modelCommand } from './commands/model'
import { serveCommand } from './commands/serve'
import { workerCommand } from './commands/worker'

export const COMMANDS: readonly Command[] = [
  createCommand,
  importCommand,
  clusterCommand,
  cosegCommand,
  infoCommand,
  serveCommand,
  workerCommand,
  demoProjectCommand,
  evalCommand,
  backendCommand,
  demoCommand,
  benchCommand,
  runCommand,
  runsCommand,
  snapshotsCommand,
  variantCommand,
  exportCommand,
  predictCommand,
  modelCommand,
]

function mainUsage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length))
  return [
    'Usage: pss-studio <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `pss-studio <command> --help` for its options.',
  ].join('\n')
}

function wantsHelp(argv: readonly string[]): boolean {
  return argv.includes('--help') || argv.includes('-h')
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    ;(name === undefined ? io.err : io.out)(mainUsage())
    return name === undefined ? EXIT_USAGE : EXIT_OK
  }
  const command = COMMANDS.find((c) => c.name === name)
  if (!command) {
    io.err(`pss-studio: unknown command "${name}"`)
    io.err(mainUsage())
    return EXIT_USAGE
  }
  if (wantsHelp(rest)) {
    io.out(command.usage)
    return EXIT_OK
  }
  try {
    return await command.run(rest, io)
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`pss-studio ${command.name}: ${err.message}`)
      io.err(`Run \`pss-studio ${command.name} --help\` for its options.`)
      return EXIT_USAGE
    }
    const payload = toApiError(err).payload
    io.err(`pss-studio ${command.name}: ${payload.message}`)
    for (const issue of payload.issues ?? []) io.err(`  ${issue.path}: ${issue.message}`)
    return EXIT_FAILURE
  }
}
