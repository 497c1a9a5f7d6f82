import { createTRPCClient, httpBatchLink, type TRPCClient } from "@trpc/client";
import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "../../src/trpc/router.js";

export type { AppRouter };

/** Input types of every procedure, e.g. `RouterInputs["auth"]["login"]`. */
export type RouterInputs = inferRouterInputs<AppRouter>;
/** Output types of every procedure, e.g. `RouterOutputs["clock"]["in"]`. */
export type RouterOutputs = inferRouterOutputs<AppRouter>;

export type PunchclockClientOptions = {
  /** The API's origin, such as `http://127.0.0.1:8787`; `/trpc` is appended. */
  baseUrl: string;
  /** Returns the bearer token to send, or undefined before login. Called for every request. */
  getToken?: () => string | undefined | Promise<string | undefined>;
  /** A fetch implementation; defaults to the global one. */
  fetch?: typeof fetch;
};

/**
 * Creates a typed tRPC client for the Punchclock API.
 *
 * @example
 * const client = createPunchclockClient({ baseUrl: "http://127.0.0.1:8787", getToken: () => token });
 * const session = await client.auth.login.mutate({ email, password });
 */
export function createPunchclockClient(options: PunchclockClientOptions): TRPCClient<AppRouter> {
  return createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: `${options.baseUrl.replace(/\/$/, "")}/trpc`,
        fetch: options.fetch,
        headers: async () => {
          const token = await options.getToken?.();
          return token ? { Authorization: `Bearer ${token}` } : {};
        },
      }),
    ],
  });
}
