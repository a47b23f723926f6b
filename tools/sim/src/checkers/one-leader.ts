/**
 * The liveness goal of the election node: after the core is healed, exactly
 * one core server leads with a confirmed quorum, and every other core
 * member follows (voters) or observes (observers) that leader at the same
 * peer epoch and has heard from it within syncLimit.
 */
import type { ServerId } from '@corral/base';
import type { ElectionNodeView } from '../election-node.js';
import type { CheckContext, LivenessGoal } from './checker.js';

function leadersOf(context: CheckContext<ElectionNodeView>, core: readonly ServerId[]): ElectionNodeView[] {
  const leaders: ElectionNodeView[] = [];
  for (const sid of core) {
    const view = context.views.get(sid);
    if (view?.state === 'LEADING') leaders.push(view);
  }
  return leaders;
}

/** Exactly one confirmed leader that every core member follows. */
export class OneLeaderGoal implements LivenessGoal<ElectionNodeView> {
  readonly name = 'one-leader';

  converged(context: CheckContext<ElectionNodeView>, core: readonly ServerId[]): boolean {
    return this.problem(context, core) === null;
  }

  describe(context: CheckContext<ElectionNodeView>, core: readonly ServerId[]): string {
    const states = core.map((sid) => {
      const v = context.views.get(sid);
      return v === undefined ? `${sid}:down` : `${sid}:${v.state}(leader=${v.vote.leader},round=${v.vote.electionEpoch}${v.confirmed ? '' : ',unconfirmed'})`;
    });
    return `${this.problem(context, core) ?? 'converged'}; core ${states.join(' ')}`;
  }

  private problem(context: CheckContext<ElectionNodeView>, core: readonly ServerId[]): string | null {
    const leaders = leadersOf(context, core);
    if (leaders.length !== 1) return `${leaders.length} core servers lead`;
    const leader = leaders[0] as ElectionNodeView;
    if (!leader.confirmed) return `leader ${leader.sid} has no confirmed quorum`;
    for (const sid of core) {
      if (sid === leader.sid) continue;
      const view = context.views.get(sid);
      if (view === undefined) return `${sid} is down`;
      const want = context.observers.includes(sid) ? 'OBSERVING' : 'FOLLOWING';
      if (view.state !== want) return `${sid} is ${view.state}, want ${want}`;
      if (view.vote.leader !== leader.sid || view.vote.peerEpoch !== leader.vote.peerEpoch) return `${sid} follows ${view.vote.leader}, not ${leader.sid}`;
      if (!view.confirmed) return `${sid} has not heard from leader ${leader.sid}`;
    }
    return null;
  }
}
