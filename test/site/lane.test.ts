import { PublicLane } from '../../src/site/lane.js';

/** A lane on a fake clock: each job "takes" the milliseconds it is given. */
function lane(budgetMs: number, maxQueued = 100) {
  let t = 0;
  const l = new PublicLane(budgetMs, maxQueued, () => t);
  const ran: number[] = [];
  const job = (i: number, ms: number) => () => {
    t += ms;
    ran.push(i);
  };
  return { l, ran, job };
}
const nextTurn = () => new Promise((r) => setImmediate(r));

describe('the public lane on the event loop', () => {
  it('runs jobs at once until the turn has spent its budget, then the rest in order, a budget per turn', async () => {
    const { l, ran, job } = lane(5);
    for (let i = 0; i < 10; i++) expect(l.run(job(i, 2))).toBe(true);
    // 0, 2 and 4 ms spent before jobs 0, 1 and 2: those ran; the rest wait.
    expect(ran).toEqual([0, 1, 2]);
    expect(l.length).toBe(7);
    await nextTurn();
    expect(ran).toEqual([0, 1, 2, 3, 4, 5]);
    await nextTurn();
    expect(ran).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    await nextTurn();
    expect(ran).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(l.length).toBe(0);
  });

  it('lets whatever arrived between two slices run before the next slice', async () => {
    const { l, ran, job } = lane(3);
    for (let i = 0; i < 6; i++) l.run(job(i, 2));
    expect(ran).toEqual([0, 1]);
    // Work that arrives while the lane has a line (a staff request, a database reply) runs
    // after one slice, not after the whole line.
    const staffSaw = await new Promise<number[]>((resolve) => setImmediate(() => resolve([...ran])));
    expect(staffSaw).toEqual([0, 1, 2, 3]);
    while (l.length) await nextTurn();
    expect(ran).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('refuses beyond its longest line, and with no budget runs everything at once', () => {
    const { l, job } = lane(1, 2);
    l.run(job(0, 2));
    expect(l.run(job(1, 0))).toBe(true);
    expect(l.run(job(2, 0))).toBe(true);
    expect(l.run(job(3, 0))).toBe(false);
    const open = lane(0, 0);
    for (let i = 0; i < 5; i++) open.l.run(open.job(i, 10));
    expect(open.ran).toEqual([0, 1, 2, 3, 4]);
  });
});
