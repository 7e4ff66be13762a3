/**
 * `pss-studio eval --pis ROOT --pred OUT [--users all|id1,…]`: scores predictions written in the PIS test
 * layout (`OUT/id{k}/{name}.png`, what `predict --pis` and the released PSS_test.sh write) against every
 * user's ground truth (`ROOT[/personal]/id{k}/SegmentationClass/{name}.png`, the labelled validation
 * images), one user at a time, as the paper's tables do: each user's own scores, and their mean over users
 * (a user without an object class in its GT has no miou_paper and is left out of that mean).
 */
import * as path from 'node:path'
import { resolvePisUsers } from '../../datasets/pis-layout'
import { EvalInputError, evaluateLabelDirs } from '../../engine/api'
import { EXIT_FAILURE, EXIT_OK, printJson, type CliIo } from '../args'
import { evalJson, type EvalJson } from './eval'

export interface EvalPisJson {
  pis: string
  pred: string
  users: Record<string, EvalJson>
  /** Mean over users of each user's score (percent; null where no user has it). */
  mean: {
    users: number
    images: number
    fiou: number
    miou_paper: number | null
    miou_all21: number
    miou_present: number | null
  }
}

function mean(values: readonly (number | null)[]): number | null {
  const v = values.filter((x): x is number => x !== null)
  return v.length === 0 ? null : v.reduce((a, b) => a + b, 0) / v.length
}

export async function runEvalPis(
  a: {
    root: string
    pred: string
    users: 'all' | string[]
    numClasses: number
    skipMissing: boolean
    perImage: boolean
    json: boolean
  },
  io: CliIo,
): Promise<number> {
  let users: { userId: string; dir: string }[]
  try {
    users = await resolvePisUsers(a.root)
  } catch (e) {
    io.err(`pss-studio eval: ${e instanceof Error ? e.message : String(e)}`)
    return EXIT_FAILURE
  }
  if (a.users !== 'all') {
    const want = a.users
    const unknown = want.filter((u) => !users.some((x) => x.userId === u))
    if (unknown.length > 0) {
      io.err(
        `pss-studio eval: ${a.root}: no user ${unknown.join(', ')} (users there: ${users.map((u) => u.userId).join(', ')})`,
      )
      return EXIT_FAILURE
    }
    users = users.filter((u) => want.includes(u.userId))
  }
  const per: Record<string, EvalJson> = {}
  const problems: string[] = []
  for (const u of users) {
    const gt = path.join(u.dir, 'SegmentationClass')
    const pred = path.join(a.pred, u.userId)
    try {
      const r = await evaluateLabelDirs({
        gtDir: gt,
        predDir: pred,
        numClasses: a.numClasses,
        skipMissing: a.skipMissing,
        signal: io.signal,
      })
      per[u.userId] = evalJson(gt, pred, r, a.perImage)
    } catch (e) {
      if (io.signal.aborted) {
        io.err('pss-studio eval: interrupted, nothing scored')
        return EXIT_FAILURE
      }
      if (!(e instanceof EvalInputError)) throw e
      problems.push(...e.problems.map((p) => `${u.userId}: ${p}`))
    }
  }
  if (problems.length > 0) {
    io.err(`pss-studio eval: cannot score, ${problems.length} problem${problems.length === 1 ? '' : 's'}:`)
    for (const p of problems) io.err(`  ${p}`)
    return EXIT_FAILURE
  }
  const scored = Object.values(per)
  const j: EvalPisJson = {
    pis: a.root,
    pred: a.pred,
    users: per,
    mean: {
      users: scored.length,
      images: scored.reduce((s, u) => s + u.images, 0),
      fiou: mean(scored.map((u) => u.fiou))!,
      miou_paper: mean(scored.map((u) => u.miou_paper)),
      miou_all21: mean(scored.map((u) => u.miou_all21))!,
      miou_present: mean(scored.map((u) => u.miou_present)),
    },
  }
  if (a.json) printJson(io, j)
  else {
    const fmt = (v: number | null): string => (v === null ? '—' : v.toFixed(2)).padStart(8)
    io.out(
      `Scored ${j.mean.images} images of ${j.mean.users} users at the ground truth's resolution (${a.pred}/id{k})`,
    )
    io.out(`${'User'.padEnd(8)}  Images      FIoU  MIoU(paper)  MIoU(all21)  MIoU(present)`)
    const row = (
      name: string,
      images: number,
      r: { fiou: number; miou_paper: number | null; miou_all21: number; miou_present: number | null },
    ): string =>
      `${name.padEnd(8)}  ${String(images).padStart(6)}  ${fmt(r.fiou)}  ${fmt(r.miou_paper).padStart(11)}  ${fmt(r.miou_all21).padStart(11)}  ${fmt(r.miou_present).padStart(13)}`
    for (const [id, r] of Object.entries(per)) io.out(row(id, r.images, r))
    io.out(row('mean', j.mean.images, j.mean))
    io.out(
      "MIoU(paper): object classes in the GT, background excluded (paper Tables 2/7); MIoU(all21): the released code's printout.",
    )
  }
  return EXIT_OK
}
