import { readdir } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { Album, JobRecord, ProjectInfo, SourceDataset } from '../../../shared/api'
import type { RunSummary } from '../../../shared/runs'
import { EXIT_OK, parseCommandArgs, printJson, requireString, type CliIo, type Command } from '../args'
import { withStudio } from '../studio-session'
import { interruptedRunJobs, interruptedRunLines } from '../interrupted-note'

export interface ProjectReport {
  project: ProjectInfo
  albums: Album[]
  sources: SourceDataset[]
  /** Folders under <project>/runs (training runs and their outputs). */
  runs: string[]
  /** The runs recorded in the project (status, split, metrics), newest first. */
  runRecords: RunSummary[]
  /** Most recent jobs, newest first. */
  jobs: JobRecord[]
  /** Run jobs a crash cut off, left for `serve` or the desktop app to resume. */
  interruptedRuns: JobRecord[]
}

/** Run folders by name; a project without a runs/ folder simply has none. */
async function listRuns(projectPath: string): Promise<string[]> {
  try {
    const entries = await readdir(join(projectPath, 'runs'), { withFileTypes: true })
    return entries
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort()
  } catch {
    return []
  }
}

export const infoCommand: Command = {
  name: 'info',
  summary: 'show a project: albums, counts, source datasets, runs, recent jobs',
  usage: `Usage: pss-studio info --project DIR [--json]

Options:
  --project DIR   the project
  --json          print everything as JSON`,

  async run(argv: string[], io: CliIo): Promise<number> {
    const opts = parseCommandArgs(argv, { project: { type: 'string' }, json: { type: 'boolean' } })
    const path = resolve(requireString(opts.project, 'project'))
    const report = await withStudio('cli', async (studio): Promise<ProjectReport> => {
      const project = await studio.openProjectPath(path)
      return {
        project,
        albums: await studio.api.listAlbums({}),
        sources: await studio.api.listSources({}),
        runs: await listRuns(project.path),
        runRecords: await studio.api.listRuns({}),
        jobs: await studio.api.listJobs({ limit: 10 }),
        interruptedRuns: interruptedRunJobs(studio),
      }
    })
    if (opts.json) printJson(io, report)
    else printReport(report, io)
    return EXIT_OK
  },
}

function printReport(r: ProjectReport, io: CliIo): void {
  io.out(`Project  ${r.project.name}${r.project.demo ? ' (demo)' : ''}`)
  io.out(`Path     ${r.project.path}`)
  io.out(`Created  ${r.project.createdAt}   schema v${r.project.schemaVersion}`)
  if (r.project.readOnly !== undefined) io.out(`Read-only: ${r.project.readOnly}`)
  io.out('')
  io.out(`Albums (${r.albums.length})`)
  for (const a of r.albums) {
    const user = a.userId ? ` [${a.userId}]` : ''
    io.out(
      `  #${a.id} ${a.name}${user}: ${a.imageCount} images, ${a.maskedCount} masked, ${a.validationCount} in validation, ${a.clusteringCount} clusterings`,
    )
  }
  io.out(`Source datasets (${r.sources.length})`)
  for (const s of r.sources) {
    const lists = s.lists.map((l) => `${l.name} ${l.count}`).join(', ')
    io.out(
      `  #${s.id} ${s.name} (${s.format}, ${s.root}): ${s.imageCount} images, ${s.maskedCount} masked${lists ? `; lists: ${lists}` : ''}`,
    )
  }
  io.out(`Runs (${r.runs.length})`)
  for (const run of r.runs) io.out(`  ${run}`)
  io.out(`Recent jobs (${r.jobs.length})`)
  for (const j of r.jobs) {
    const problems = j.problemCount > 0 ? `, ${j.problemCount} problem${j.problemCount === 1 ? '' : 's'}` : ''
    io.out(`  #${j.id} ${j.title}: ${j.status}${problems}${j.error ? ` — ${j.error}` : ''}`)
  }
  for (const line of interruptedRunLines(r.interruptedRuns)) io.out(line)
}
