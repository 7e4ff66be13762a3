/** Argument parsing and output plumbing shared by the CLI commands. */
import { parseArgs, type ParseArgsConfig } from 'node:util'

/** Where a command writes; the entry point wires it to the process, tests to buffers. */
export interface CliIo {
  /** Results (human text or JSON), one call per line. */
  out(line: string): void
  /** Progress, warnings and errors, one call per line. */
  err(line: string): void
  /** Aborted on SIGINT/SIGTERM: long commands (serve, import) stop cleanly. */
  signal: AbortSignal
}

export const EXIT_OK = 0
export const EXIT_FAILURE = 1
export const EXIT_USAGE = 2

/** Bad command line: printed with the command's usage, exit code 2. */
export class UsageError extends Error {}

export interface Command {
  name: string
  summary: string
  usage: string
  run(argv: string[], io: CliIo): Promise<number>
}

type Options = NonNullable<ParseArgsConfig['options']>

/**
 * Strict parse (unknown options, stray positionals and missing values are usage errors), with
 * `--help` handled by the caller.
 */
type ParsedValues<O extends Options> = ReturnType<
  typeof parseArgs<{
    args: string[]
    options: O & { help: { type: 'boolean'; short: 'h' } }
    strict: true
    allowPositionals: false
  }>
>['values']

export function parseCommandArgs<O extends Options>(argv: string[], options: O): ParsedValues<O> {
  try {
    return parseArgs({
      args: argv,
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    }).values
  } catch (err) {
    // parseArgs' messages are good ("Unknown option '--foo'"); drop its hint about "--" for positionals.
    throw new UsageError((err as Error).message.replace(/\. To specify a positional argument.*$/s, ''))
  }
}

export function requireString(value: string | boolean | undefined, flag: string): string {
  if (typeof value !== 'string' || value.length === 0)
    throw new UsageError(`missing required option --${flag}`)
  return value
}

export function parsePort(value: string | undefined): number {
  if (value === undefined) return 0
  if (!/^\d+$/.test(value) || Number(value) > 65535)
    throw new UsageError(`--port must be an integer from 0 to 65535, got "${value}"`)
  return Number(value)
}

export function printJson(io: CliIo, value: unknown): void {
  io.out(JSON.stringify(value, null, 2))
}
