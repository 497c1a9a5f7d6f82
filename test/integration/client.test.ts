import { describe, expect, expectTypeOf, it } from "vitest";
import { createPunchclockClient, type RouterOutputs } from "../../client/src/index.js";
import { createApp } from "../../src/http/app.js";
import { createUser, TEST_PASSWORD, testBindings } from "../support/app.js";

const app = createApp();

/** Creates a client whose fetch calls the app directly, so the test needs no HTTP server. */
function createInProcessClient(getToken?: () => string | undefined) {
  return createPunchclockClient({
    baseUrl: "http://punchclock.test",
    getToken,
    fetch: (async (input: RequestInfo | URL, init?: RequestInit) => app.request(input instanceof Request ? input : String(input), init, testBindings())) as typeof fetch,
  });
}

describe("typed client", () => {
  it("logs in and clocks in with typed results", async () => {
    const user = await createUser("client");
    let token: string | undefined;
    const client = createInProcessClient(() => token);

    const session = await client.auth.login.mutate({ email: user.email, password: TEST_PASSWORD });
    token = session.token;
    expectTypeOf(session.user.id).toEqualTypeOf<number>();

    const record = await client.clock.in.mutate();
    expectTypeOf(record).toEqualTypeOf<RouterOutputs["clock"]["in"]>();
    expect(record.user_id).toBe(user.id);

    const [current, page] = await Promise.all([client.clock.current.query(), client.clock.records.query({ per_page: 5 })]);
    expect(current?.id).toBe(record.id);
    expect(page.meta.per_page).toBe(5);
    expect(page.data[0]?.id).toBe(record.id);
  });

  it("surfaces domain error codes", async () => {
    const client = createInProcessClient();
    const error = await client.auth.me.query().catch((caught: unknown) => caught);
    expect(error).toMatchObject({ data: { code: "UNAUTHORIZED", domain_code: "UNAUTHENTICATED" } });
  });
});
