import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { effectivePolicy } from "../../src/core/effective/combine.js";
import { dlpEffect, type DlpEffect } from "../../src/core/effective/effect.js";
import { compare, environmentViewsOf, policyViewsOf } from "../../src/core/effective/policy-view.js";
import type { LiveTenant } from "../../src/core/plan/index.js";
import { guid, liveTenant, wireDlp, wireEnv, type WireDlpOptions } from "../core/builders.js";

const CONNECTORS = ["shared_sql", "shared_office365", "shared_twitter", "shared_dropbox"];
// Enough environments that several share a scope signature (listed by the same policies).
const ENVIRONMENTS = [2, 3, 4, 5, 6, 7].map((n) => guid(n));
const CLASSES = ["Confidential", "General", "Blocked"] as const;
const SCOPES = ["AllEnvironments", "OnlyEnvironments", "ExceptEnvironments"] as const;

/** The effect as first written: every environment, every connector of every policy. */
function bruteForceEffect(before: LiveTenant, after: LiveTenant): DlpEffect {
  const beforeViews = policyViewsOf(before);
  const afterViews = policyViewsOf(after);
  const names = [
    ...new Set([...beforeViews, ...afterViews].flatMap((view) => Object.keys(view.connectors))),
  ].sort(compare);
  const remaining = new Set(environmentViewsOf(after).map((view) => view.id));
  const effect: DlpEffect = [];
  for (const environment of environmentViewsOf(before).filter((view) => remaining.has(view.id))) {
    const was = effectivePolicy(beforeViews, environment, names);
    const now = effectivePolicy(afterViews, environment, names);
    const moves = now.connectors.flatMap((entry, index) => {
      const previous = was.connectors[index]?.group ?? "unrestricted";
      return previous === entry.group
        ? []
        : [{ connector: entry.connector, before: previous, after: entry.group }];
    });
    if (moves.length > 0)
      effect.push({ environmentId: environment.id, environmentName: environment.displayName, moves });
  }
  return effect.sort(
    (a, b) => compare(a.environmentName, b.environmentName) || compare(a.environmentId, b.environmentId),
  );
}

const policy = (id: number): fc.Arbitrary<WireDlpOptions> =>
  fc
    .record({
      defaultClassification: fc.constantFrom(...CLASSES),
      environmentType: fc.constantFrom(...SCOPES),
      environments: fc.subarray(ENVIRONMENTS),
      groups: fc.array(fc.constantFrom(...CLASSES), {
        minLength: CONNECTORS.length,
        maxLength: CONNECTORS.length,
      }),
    })
    .map(({ groups, ...rest }) => ({
      id: guid(100 + id),
      displayName: `policy ${id}`,
      ...rest,
      business: CONNECTORS.filter((_, index) => groups[index] === "Confidential"),
      nonBusiness: CONNECTORS.filter((_, index) => groups[index] === "General"),
      blocked: CONNECTORS.filter((_, index) => groups[index] === "Blocked"),
    }));

const tenant = (policies: (WireDlpOptions | null)[]): LiveTenant =>
  liveTenant({
    environments: [
      wireEnv({ id: guid(1), displayName: "Contoso (default)", type: "Default", isDefault: true }),
      ...ENVIRONMENTS.map((id, index) => wireEnv({ id, displayName: `env ${index}` })),
    ],
    dlpPolicies: policies.flatMap((options) => (options === null ? [] : [wireDlp(options)])),
  });

describe("dlpEffect", () => {
  it("equals the every-connector comparison for random policy changes", () => {
    let moved = 0;
    fc.assert(
      fc.property(
        fc.tuple(...[0, 1, 2].map((id) => fc.option(policy(id), { nil: null }))),
        fc.tuple(...[0, 1, 2].map((id) => fc.option(policy(id), { nil: null }))),
        (beforePolicies, afterPolicies) => {
          const before = tenant(beforePolicies);
          const after = tenant(afterPolicies);
          const effect = dlpEffect(before, after);
          expect(effect).toEqual(bruteForceEffect(before, after));
          if (effect.length > 0) moved += 1;
        },
      ),
      { numRuns: 300 },
    );
    // The generator must produce real moves, or the comparison proves nothing.
    expect(moved).toBeGreaterThan(100);
  });
});
