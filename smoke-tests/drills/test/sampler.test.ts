import { sampleEverySecond } from "../sampler";

/** A reading that answers 1, 2, 3… and fails on the readings named; the sleep is a test's: it only yields. */
function readings(failOn: number[] = []) {
  let n = 0;
  return async () => {
    n++;
    if (failOn.includes(n)) throw new Error(`reading ${n} failed`);
    return n;
  };
}
const yieldOnly = () => new Promise<void>((r) => setImmediate(r));

test("keeps each reading, counts the failed ones, and stops when asked", async () => {
  const sampling = sampleEverySecond(readings([2]), yieldOnly);
  for (let i = 0; i < 5; i++) await yieldOnly();
  const { samples, failed } = await sampling.stop();
  expect(failed).toBe(1);
  expect(samples).not.toContain(2);
  expect(samples.slice(0, 2)).toEqual([1, 3]);
});

test.each([
  [false, [1]],
  [true, [1, 2]],
])("lastOnStop %s: one more reading is taken at the stop, or none", async (lastOnStop, expected) => {
  // The sleep after the first reading lasts until the test lets it go, after stop() was asked.
  let wake: () => void = () => undefined;
  const heldSleep = () => new Promise<void>((r) => (wake = r));
  const sampling = sampleEverySecond(readings(), heldSleep, { lastOnStop });
  await yieldOnly();
  const stopped = sampling.stop();
  wake();
  expect((await stopped).samples).toEqual(expected);
});
