/** The project store: open/create a project folder and use its repositories. */
export { Project, type CreateProjectOptions } from './project'
export { projectPaths, PRIVATE_FILES, DB_FILE, LOCK_FILE, type ProjectPaths } from './layout'
export type { ImageOwner, PageQuery } from './images-repo'
export * from './errors'
