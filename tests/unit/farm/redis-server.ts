/**
 * A real redis-server (Debian's package) for the farm tests: on a free loopback port, in its own
 * folder, with the append-only file on (as the farm's sample config), so a restart keeps the jobs.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'

export const REDIS_SERVER = '/usr/bin/redis-server'
export const hasRedis = fs.existsSync(REDIS_SERVER)

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port
      s.close(() => resolve(port))
    })
  })
}

async function answers(port: number, ms: number): Promise<boolean> {
  const end = Date.now() + ms
  while (Date.now() < end) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = net.connect(port, '127.0.0.1')
      c.once('connect', () => {
        c.write('PING\r\n')
      })
      c.once('data', (d) => {
        c.destroy()
        // A server with a password answers -NOAUTH: it is up all the same.
        resolve(/^(\+PONG|-NOAUTH)/.test(d.toString()))
      })
      c.once('error', () => resolve(false))
    })
    if (ok) return true
    await new Promise((r) => setTimeout(r, 50))
  }
  return false
}

export class RedisServer {
  private child: ChildProcess | null = null
  constructor(
    readonly dir: string,
    readonly port: number,
    private readonly password: string | null = null,
  ) {}

  get url(): string {
    return `redis://${this.password ? `:${encodeURIComponent(this.password)}@` : ''}127.0.0.1:${this.port}`
  }

  async start(): Promise<void> {
    fs.mkdirSync(this.dir, { recursive: true })
    const args = [
      '--port',
      String(this.port),
      '--bind',
      '127.0.0.1',
      '--dir',
      this.dir,
      '--appendonly',
      'yes',
      '--save',
      '',
      '--logfile',
      path.join(this.dir, 'redis.log'),
      ...(this.password ? ['--requirepass', this.password] : []),
    ]
    this.child = spawn(REDIS_SERVER, args, { stdio: 'ignore' })
    if (!(await answers(this.port, 10_000)))
      throw new Error(`redis-server did not answer on port ${this.port} (see ${this.dir}/redis.log)`)
  }

  /** SIGKILL, as a crash or a power cut would (the append-only file keeps what was acknowledged). */
  async kill(): Promise<void> {
    const c = this.child
    this.child = null
    if (!c || c.exitCode !== null) return
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve())
      c.kill('SIGKILL')
    })
  }
}

/** The Debian package's version line (for test logs). */
export function redisVersion(): string {
  return spawnSync(REDIS_SERVER, ['--version'], { encoding: 'utf8' }).stdout.trim()
}
