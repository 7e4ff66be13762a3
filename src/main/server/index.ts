export { startServer, RemoteBindRefusedError, DEFAULT_BODY_LIMIT } from './server'
export type { ServerOptions, RunningServer } from './server'
export type { StudioPort, ResolvedMedia } from './studio-port'
export { TOKEN_HEADER, tokenCookieName } from './security'
