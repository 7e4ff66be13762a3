/**
 * The studio's farm mode: the settings (farm-settings.ts) and, while farm mode is on, one FarmClient to
 * the farm, created on first use and replaced when the address changes. Local mode (the default) needs
 * no Redis and opens no connection.
 */
import type { FarmStatus } from '../../../shared/farm'
import { InvalidInputError } from '../../project/errors'
import { FarmClient } from './farm-client'
import { FarmSettings } from './farm-settings'
import { RedisUrlError } from './redis-url'

export class FarmMode {
  private readonly settings: FarmSettings
  private client: { key: string; client: FarmClient } | null = null

  constructor(homeDir: string) {
    this.settings = new FarmSettings(homeDir)
  }

  status(): FarmStatus {
    return this.settings.status()
  }

  /** The client runs go through, or null in local mode. */
  current(): FarmClient | null {
    const a = this.settings.address()
    if (!a) {
      this.drop()
      return null
    }
    const key = JSON.stringify(a)
    if (this.client?.key !== key) {
      this.drop()
      this.client = { key, client: new FarmClient(a) }
    }
    return this.client.client
  }

  /**
   * Saves the settings; turning farm mode on (or moving it) first checks that the farm answers. A farm
   * that does not answer changes nothing: the settings stay as they were (runs would wait forever).
   */
  async set(enabled: boolean, url: string | undefined): Promise<FarmStatus> {
    const before = this.settings.snapshot()
    const beforeWhere = this.status().where
    try {
      this.settings.save(enabled, url)
    } catch (e) {
      throw new InvalidInputError(e instanceof RedisUrlError || e instanceof Error ? e.message : String(e))
    }
    const client = this.current()
    if (client) {
      try {
        await client.ready(5000)
        this.settings.noteCheck(true, `connected to ${client.where}`)
      } catch (e) {
        const why = e instanceof Error ? e.message : String(e)
        this.settings.restore(before)
        this.drop()
        this.settings.noteCheck(false, why)
        throw new InvalidInputError(
          before.enabled
            ? `${why}; runs still go to the farm at ${beforeWhere}`
            : `farm mode stays off: ${why}`,
        )
      }
    }
    return this.status()
  }

  private drop(): void {
    const c = this.client
    this.client = null
    if (c) void c.client.close()
  }

  async close(): Promise<void> {
    const c = this.client
    this.client = null
    if (c) await c.client.close()
  }
}
