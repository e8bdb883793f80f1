import type { KindExporter } from "../export/context.js";
import type { ManagedKind, PrunableKind } from "../policy/types.js";
import type { CanonContext } from "./canon-context.js";
import type { ConnectorCatalogue } from "./connector-catalogue.js";
import type { LiveCollection, LiveTenant } from "../plan/live-tenant.js";
import type { Json } from "./json.js";
import type { IdOrPlaceholder } from "./placeholder.js";
import type { PlanDiagnosticCode } from "../plan/codes.js";

export type { CanonContext };

/** The resolver's tables from a document's metadata.name to the live id or placeholder it stands for. */
export type ReferenceTable = "environmentNames" | "groupNames";

/** Which API a step talks to; the tenant client maps it to a host (TF internal/constants/constants.go). */
export type ApiName = "bap" | "powerapps" | "powerplatform" | "powerplatform-tenant" | "graph";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/**
 * How the apply engine waits after the request: `lifecycle` polls the BAP lifecycle operation
 * (TF internal/api/lifecycle.go), `provisionInstance` polls until provisioningState is Succeeded
 * (TF internal/services/environment/api_environment.go), `billingPolicyStatus` polls the policy until
 * Enabled/Disabled (TF internal/services/licensing/api_licensing.go), `tenantIsolation` follows a 202's
 * Location until it answers 200 (TF internal/services/tenant_isolation_policy), `none` is synchronous.
 */
export type StepAsync =
  "lifecycle" | "provisionInstance" | "billingPolicyStatus" | "tenantIsolation" | "none";

/** Where a created resource's id is found, for the placeholder `ref` of later steps. */
export interface StepProduces {
  /** "Environment/dev#id" */
  ref: string;
  /** `lifecycle.environment`: last segment of links.environment.path (or `name` of a 201 body); `body.<path>`: a field of the response body. */
  from: "lifecycle.environment" | "body.id" | "body.policyDefinition.name";
}

/** One HTTP request of a plan, as a value. Placeholders may appear in `path` and `body`. */
export interface StepRequest {
  /** Unique within a resource, stable across plans: "create", "modifySku", "patch", … */
  label: string;
  /** What the step does, for people: "change type Sandbox → Production". */
  description: string;
  api: ApiName;
  method: HttpMethod;
  /** Path and query, e.g. "/providers/Microsoft.BusinessAppPlatform/environments?api-version=2023-06-01". */
  path: string;
  body?: Json;
  /** Acceptable statuses. */
  expect: number[];
  async: StepAsync;
  /** Safe to send again after an uncertain failure (the same request leads to the same state). */
  idempotent: boolean;
  produces?: StepProduces;
}

export type ChangeAction = "create" | "update" | "replace" | "delete" | "no-op";

/** One resource's change as a kind's `buildSteps` sees it. */
export interface KindChange<L, C extends object> {
  /** A replace reaches a kind as a delete of the old object and a create of the new one. */
  action: "create" | "update" | "delete";
  address: string;
  /** The live id, or a placeholder for a create. */
  id: IdOrPlaceholder;
  before?: C;
  after?: C;
  /** The live record (absent for a create): lets steps keep fields ppgov does not model. */
  live?: L;
  /** JSON pointers that differ (update only). */
  changedPaths: readonly string[];
}

export interface StepContext {
  catalogue: ConnectorCatalogue;
}

/** One planned create, update or replace of a document, as a kind's `changeProblems` sees it. */
export interface PlannedChange<C> {
  action: "create" | "update" | "replace";
  address: string;
  /** The live canonical form (absent for a create). */
  before?: C;
  after: C;
  /** Why a replace cannot be made in place. */
  reason?: string;
}

/** A problem a kind finds in one planned change, at a pointer of the document. */
export interface ChangeProblem {
  code: PlanDiagnosticCode;
  pointer: string;
  message: string;
}

/** A reference from one canonical form to another resource, by live id or placeholder. */
export interface ResourceRef {
  kind: PrunableKind;
  id: IdOrPlaceholder;
}

/**
 * A resource kind as data with pure hooks (knip-style plugin). `S` is the written spec, `L` the live
 * record, `C` the canonical form both sides are converted to before diffing.
 */
export interface ResourceKind<S, L, C extends object> {
  kind: ManagedKind;
  /** How people call one object of this kind in messages ("environment"). */
  noun: string;
  /**
   * The live collections read to canonicalise (and so fingerprint) objects of this kind; a plan reads
   * them when documents of the kind exist or its prune is on, export when the kind is exported.
   * Environments are always read, by every plan and export.
   */
  liveCollections: readonly LiveCollection[];
  /** Instead of `liveCollections`, for kinds whose plan reads depend on what their documents declare. */
  planCollections?(specs: readonly S[], prune: boolean): LiveCollection[];
  /** Instead of `liveCollections`, for kinds whose export reads less. */
  exportCollections?: readonly LiveCollection[];
  listLive(live: LiveTenant): readonly L[];
  /** Lower-case id. */
  liveId(record: L): string;
  liveDisplayName(record: L): string;
  /**
   * When the service says the object was created (ISO time), for kinds created by name: two writers
   * that both created an object of one name keep the earliest (src/app/create-guard.ts).
   */
  liveCreatedAt?(record: L): string | undefined;
  /**
   * Identity used instead of the display name, for kinds whose objects have a natural key (the
   * environment of an allocation, the group of a license assignment).
   */
  naturalKey?(spec: S, ctx: CanonContext): string | undefined;
  desiredDisplayName(spec: S): string;
  ensure(spec: S): "present" | "absent";
  canonicalizeDesired(spec: S, ctx: CanonContext): C;
  canonicalizeLive(record: L, ctx: CanonContext): C;
  /**
   * Pointers of objects whose properties are each optional in the written form: a property absent
   * from the desired document there is unmanaged (the live value is kept, nothing is compared).
   * "" is the top level. Everything else is compared as a whole.
   */
  partialPaths: readonly string[];
  /** Pointer patterns ("*" = any one segment) whose value changes as one unit (sets, ordered lists). */
  atomicPaths: readonly string[];
  /** Pointer patterns never compared: values the service normalises. */
  ignorePaths: readonly string[];
  /** Pointer patterns not compared while the live side does not report them. */
  ignoreWhenLiveAbsent: readonly string[];
  /** A kind's own reason not to compare a path, given the live canonical form. */
  ignoreChange?(path: string, before: Json): boolean;
  /**
   * Fields set at creation only: changing one from a non-empty live value replaces the object
   * ("location is create-only: europe → unitedstates").
   */
  createOnlyPaths: readonly string[];
  /** Other reasons a change cannot be made in place (checked after `createOnlyPaths`). */
  replaceReason?(before: C, after: C): string | undefined;
  /**
   * Problems that only show once a document meets the live object (a type ppgov cannot create or
   * change); run with the plan's other checks, an error stops the plan.
   */
  changeProblems?(change: PlannedChange<C>, spec: S, ctx: CanonContext): ChangeProblem[];
  /**
   * Domains of other tenants the kind's documents name, which the reader resolves to tenant ids
   * (LiveTenant.tenantDomains) before the plan canonicalises them.
   */
  tenantDomains?(specs: readonly S[]): string[];
  dependsOn(canonical: C): ResourceRef[];
  buildSteps(change: KindChange<L, C>, ctx: StepContext): StepRequest[];
  /**
   * True when a desired form declares nothing that would exist live (an allocation of zeros, an
   * assignment of no licenses): with no live object, that is already the case, not a create.
   */
  isEmpty?(canonical: C): boolean;
  /** A remark on the whole resource, given its document and live record ("40 other settings are unmanaged"). */
  unmanagedNote?(spec: S, live: L): string | undefined;
  /** A remark on a changed path for people reading the plan ("via defaultGroup"). */
  pathNote?(spec: S, path: string, ctx: CanonContext): string | undefined;
  /** Live objects prune never deletes, though no document declares them (the tenant's default environment). */
  neverPrune?(record: L): boolean;
  /**
   * For kinds whose objects are known by their environment (an allocation): the id of that
   * environment, from the live id (absent for a create) or the canonical form. The plan shows the
   * environment's name, and Tenant.ignore globs match it.
   */
  environmentOf?(id: string | undefined, canonical: C | undefined): string | undefined;
  /**
   * The table the metadata.name of this kind's documents resolves in, for references from other
   * documents (an env ref names an Environment, `spec.group` an EnvironmentGroup).
   */
  referencedAs?: ReferenceTable;
  /** How `ppgov export` writes a live object of this kind as a document. */
  exporter: KindExporter<L, S>;
  /** The service's change marker (etag, modified time); undefined → a hash of the canonical form. */
  fingerprint(record: L): string | undefined;
}
