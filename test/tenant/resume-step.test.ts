import { describe, expect, it } from "vitest";
import { LifecycleFailedError } from "../../src/adapters/tenant/index.js";
import { executeStep, resumeStep } from "../../src/adapters/tenant/step-executor.js";
import type { StepRequest } from "../../src/core/kinds/resource-kind.js";
import { testClient, type Route } from "./fake-fetch.js";

/**
 * The operation URL a create's 202 names: handed to the journal (before any poll, without credentials in
 * its query) and followed by a later run without sending the create again, through the same host checks.
 */

const BAP = "/providers/Microsoft.BusinessAppPlatform";
const OPERATION = `${BAP}/lifecycleOperations/op-1`;
const LOCATION = `https://europe.api.bap.microsoft.com${OPERATION}?api-version=2023-06-01`;

const CREATE: StepRequest = {
  label: "create",
  description: "create environment Lab",
  api: "bap",
  method: "POST",
  path: `${BAP}/environments?api-version=2023-06-01`,
  body: { properties: { displayName: "Lab" } },
  expect: [200, 201, 202],
  async: "lifecycle",
  idempotent: false,
  produces: { ref: "Environment/lab#id", from: "lifecycle.environment" },
};

function operation(state: string, environmentPath = `${BAP}/environments/env-1`): object {
  return {
    id: "op-1",
    links: { environment: { path: environmentPath } },
    type: { id: "Create" },
    state: { id: state },
  };
}

const poll = (...replies: Route["replies"]): Route => ({ method: "GET", path: OPERATION, replies });

describe("executeStep: the accepted operation's URL", () => {
  it("is handed over before the first poll, with only its api-version query", async () => {
    const { client, fake } = testClient([
      {
        method: "POST",
        path: `${BAP}/environments`,
        replies: [{ status: 202, headers: { Location: `${LOCATION}&sig=s3cr3t-signature` } }],
      },
      poll({ status: 200, body: operation("Succeeded") }),
    ]);
    const handed: { location: string; requestsSoFar: number }[] = [];
    const outcome = await executeStep(client, CREATE, {
      onAccepted: (location) => {
        handed.push({ location, requestsSoFar: fake.requests.length });
        return Promise.resolve();
      },
    });
    expect(handed).toEqual([{ location: LOCATION, requestsSoFar: 1 }]);
    expect(outcome.producedId).toBe("env-1");
  });
});

describe("resumeStep", () => {
  it("polls the journaled URL until the operation ends and yields the new environment, sending no create", async () => {
    const { client, fake } = testClient([
      poll({ status: 200, body: operation("Running") }, { status: 200, body: operation("Succeeded") }),
    ]);
    expect(await resumeStep(client, CREATE, LOCATION)).toEqual({ status: "finished", producedId: "env-1" });
    expect(fake.count("POST", /./)).toBe(0);
    expect(fake.requests.map((r) => r.url.href)).toEqual([LOCATION, LOCATION]);
    expect(fake.unusedReplies()).toEqual([]);
  });

  it("says gone when the service no longer knows the operation", async () => {
    const { client } = testClient([
      poll({ status: 404, body: { error: { code: "LifecycleOperationNotFound", message: "gone" } } }),
    ]);
    expect(await resumeStep(client, CREATE, LOCATION)).toEqual({ status: "gone" });
  });

  it("throws a failure naming the step and the earlier run when the operation ended Failed", async () => {
    const { client } = testClient([poll({ status: 200, body: operation("Failed", "") })]);
    const error = await resumeStep(client, CREATE, LOCATION).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LifecycleFailedError);
    expect((error as Error).message).toContain(
      "create environment Lab (accepted by the service during an earlier, interrupted run) failed",
    );
  });

  it("refuses a journaled URL outside the cloud's hosts, sending nothing (a tampered journal gets no token)", async () => {
    const { client, fake } = testClient([]);
    const error = await resumeStep(client, CREATE, "https://attacker.example.com/steal?api-version=1").catch(
      (caught: unknown) => caught,
    );
    expect(error).toMatchObject({ code: "TENANT_LINK_FOREIGN" });
    const notUrl = await resumeStep(client, CREATE, "not a url").catch((caught: unknown) => caught);
    expect(notUrl).toMatchObject({ code: "JOURNAL_LOCATION_INVALID" });
    expect(fake.requests).toEqual([]);
  });
});
