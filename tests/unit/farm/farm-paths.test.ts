/** The farm's pure parts: Redis URLs (and their redaction) and project paths inside a job. */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import {
  describeRedis,
  parseRedisUrl,
  redactRedisUrl,
  RedisUrlError,
} from '../../../src/main/app/farm/redis-url'
import { fromProjectPaths, PlanPathError, toProjectPaths } from '../../../src/main/app/farm/plan-paths'
import { farmJobId, parseFarmJob } from '../../../src/main/app/farm/farm-job'

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pss-farm-paths-'))
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }))

describe('Redis URL', () => {
  it('parses host, port, db, credentials and TLS', () => {
    expect(parseRedisUrl('redis://10.0.0.5')).toEqual({
      host: '10.0.0.5',
      port: 6379,
      db: 0,
      username: null,
      password: null,
      tls: false,
    })
    expect(parseRedisUrl('rediss://farm:s%40cret@redis.lab:6380/2')).toEqual({
      host: 'redis.lab',
      port: 6380,
      db: 2,
      username: 'farm',
      password: 's@cret',
      tls: true,
    })
    expect(parseRedisUrl('redis://[::1]:7000').host).toBe('::1')
  })

  it('refuses what is not a Redis address, without echoing a password', () => {
    for (const bad of [
      'http://x',
      'redis://',
      'redis://h:99999',
      'redis://h/16',
      'redis://h/0?x=1',
      'nonsense',
    ]) {
      expect(() => parseRedisUrl(bad), bad).toThrow(RedisUrlError)
    }
    try {
      parseRedisUrl('redis://user:hunter2@ bad host')
      expect.unreachable()
    } catch (e) {
      expect((e as Error).message).not.toContain('hunter2')
    }
  })

  it('never shows credentials', () => {
    expect(redactRedisUrl('redis://:hunter2@h:1/0')).toBe('redis://***@h:1/0')
    expect(redactRedisUrl('rediss://u:p@h')).toBe('rediss://***@h')
    expect(redactRedisUrl('redis://h:1')).toBe('redis://h:1')
    expect(describeRedis(parseRedisUrl('redis://u:hunter2@h:1/3'))).toBe('redis://***@h:1/3')
  })
})

describe('project paths in a job', () => {
  const studioRoot = path.join(tmp, 'studio-view', 'proj')
  const workerRoot = path.join(tmp, 'worker-view', 'proj')
  fs.mkdirSync(studioRoot, { recursive: true })
  fs.mkdirSync(workerRoot, { recursive: true })

  it('round-trips every path under the root to the other side’s root, leaving other strings alone', () => {
    const plan = {
      method: 'advent',
      runDir: path.join(studioRoot, 'runs', '7'),
      items: [{ image: path.join(studioRoot, 'media', 'a', '1.jpg'), name: '1' }],
      n: 3,
    }
    const job = toProjectPaths(plan, studioRoot)
    expect(JSON.stringify(job)).not.toContain(studioRoot)
    expect(job).toEqual({
      method: 'advent',
      runDir: { $project: 'runs/7' },
      items: [{ image: { $project: 'media/a/1.jpg' }, name: '1' }],
      n: 3,
    })
    expect(fromProjectPaths(job, workerRoot)).toEqual({
      method: 'advent',
      runDir: path.join(workerRoot, 'runs', '7'),
      items: [{ image: path.join(workerRoot, 'media', 'a', '1.jpg'), name: '1' }],
      n: 3,
    })
  })

  it('the studio refuses to send a path outside the project', () => {
    expect(() => toProjectPaths({ x: '/etc/passwd' }, studioRoot)).toThrow(PlanPathError)
    expect(() => toProjectPaths({ x: path.join(studioRoot, '..', 'other') }, studioRoot)).toThrow(/outside/)
  })

  it('a worker refuses absolute paths, climbs out of the root and links that leave it', () => {
    expect(() => fromProjectPaths({ a: '/etc/passwd' }, workerRoot)).toThrow(/absolute path/)
    expect(() => fromProjectPaths({ a: { $project: '../../etc/passwd' } }, workerRoot)).toThrow(
      /leaves the project/,
    )
    expect(() => fromProjectPaths({ a: { $project: 'runs/../../x' } }, workerRoot)).toThrow(
      /leaves the project/,
    )
    expect(() => fromProjectPaths({ a: { $project: '/abs' } }, workerRoot)).toThrow(PlanPathError)
    fs.symlinkSync(os.tmpdir(), path.join(workerRoot, 'escape'))
    expect(() => fromProjectPaths({ a: { $project: 'escape/x.png' } }, workerRoot)).toThrow(
      /outside the project/,
    )
  })
})

describe('farm job', () => {
  it('has one id per project and run, valid for BullMQ', () => {
    const p = { createdAt: '2026-12-07T10:00:00.000Z', name: 'Album study' }
    const id = farmJobId(p, 12)
    expect(id).toBe(farmJobId({ ...p }, 12))
    expect(id).not.toBe(farmJobId(p, 13))
    expect(id).not.toBe(farmJobId({ ...p, createdAt: '2026-12-07T10:00:00.001Z' }, 12))
    expect(id).not.toContain(':')
    expect(Number.isInteger(Number(id))).toBe(false)
  })

  it('refuses what is not a farm job, naming the field', () => {
    expect(() =>
      parseFarmJob({ format: 1, projectDir: '/p', runId: 1, session: 'coseg', request: {} }),
    ).toThrow(/session/)
    expect(() =>
      parseFarmJob({ format: 2, projectDir: '/p', runId: 1, session: 'train', request: {} }),
    ).toThrow(/format/)
    expect(() => parseFarmJob('rm -rf /')).toThrow(/not a PSS Studio farm job/)
  })
})
