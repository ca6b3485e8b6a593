// Typed clients of the four Jingzhun services (openapi-fetch over the generated types).
// Regenerate the types with `npm run generate` after `python -m deploy.openapi` (see README.md).
import createClient, { type ClientOptions } from "openapi-fetch";

import type { paths as FundsPaths } from "./generated/funds.ts";
import type { paths as InspectionPaths } from "./generated/inspection.ts";
import type { paths as PairingPaths } from "./generated/pairing.ts";
import type { paths as RegistryPaths } from "./generated/registry.ts";

export type * as funds from "./generated/funds.ts";
export type * as inspection from "./generated/inspection.ts";
export type * as pairing from "./generated/pairing.ts";
export type * as registry from "./generated/registry.ts";

/** RFC 9457 problem details: every error of every service (`type` is a stable URI, docs/PROBLEMS.md). */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string | null;
  [extension: string]: unknown;
}

/** `baseUrl` is the gateway (or a service) root, e.g. `https://fupin.example.gov.cn`; paths carry `/<service>/v1`. */
export function registryClient(options: ClientOptions) {
  return createClient<RegistryPaths>(options);
}

export function fundsClient(options: ClientOptions) {
  return createClient<FundsPaths>(options);
}

export function pairingClient(options: ClientOptions) {
  return createClient<PairingPaths>(options);
}

export function inspectionClient(options: ClientOptions) {
  return createClient<InspectionPaths>(options);
}

/** A bearer token on every request, taken fresh each time (it may have been renewed). */
export function bearer(getToken: () => string | Promise<string>) {
  return {
    async onRequest({ request }: { request: Request }) {
      request.headers.set("Authorization", `Bearer ${await getToken()}`);
      return request;
    },
  };
}
