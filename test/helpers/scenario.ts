// A scenario whose steps must run in order, each working on what the previous one left (the same
// page, the same live on air…): one `it`, each step a subtest, so that no `it` depends on another's
// state. The steps after a failed one are skipped: they would only fail for its reason.
import { it } from 'node:test';

type Run = () => Promise<void> | void;

/** Declares the scenario's `it` now; its steps are added (in order) with `step` before it runs. */
export function scenario(name: string): { step(name: string, run: Run): void } {
  const steps: Array<{ name: string; run: Run }> = [];
  it(name, async (t) => {
    let failed: string | undefined;
    for (const step of steps) {
      await t.test(step.name, { skip: failed && `an earlier step failed: ${failed}` }, async () => {
        try {
          await step.run();
        } catch (error) {
          failed = step.name;
          throw error;
        }
      });
    }
  });
  return { step: (stepName, run) => { steps.push({ name: stepName, run }); } };
}
