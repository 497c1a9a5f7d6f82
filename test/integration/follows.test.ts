import { and, eq, sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { follows, users } from "../../src/db/schema.js";
import { connectTestDatabase, createUser, request, testBindings } from "../support/app.js";

const database = connectTestDatabase();
afterAll(() => database.close());

async function countFollows(followerId: number, followeeId?: number): Promise<number> {
  const condition = followeeId === undefined ? eq(follows.followerId, followerId) : and(eq(follows.followerId, followerId), eq(follows.followeeId, followeeId));
  const [row] = await database.primary.select({ value: sql<number>`count(*)::int` }).from(follows).where(condition);
  return row?.value ?? 0;
}

describe("POST /follows", () => {
  it("follows with 201, then answers 200 without a duplicate", async () => {
    const follower = await createUser("follower");
    const followee = await createUser("followee");

    const first = await request("/follows", { method: "POST", token: follower.token, json: { user_id: followee.id } });
    expect(first.status).toBe(201);
    expect(first.body.data).toMatchObject({ follower_id: follower.id, followee_id: followee.id });

    const second = await request("/follows", { method: "POST", token: follower.token, json: { user_id: followee.id } });
    expect(second.status).toBe(200);
    expect(second.body.data.created_at).toBe(first.body.data.created_at);
    expect(await countFollows(follower.id, followee.id)).toBe(1);
  });

  it("creates one row under concurrent duplicates", async () => {
    const follower = await createUser("concurrent");
    const followee = await createUser("target");
    const responses = await Promise.all(
      Array.from({ length: 8 }, () => request("/follows", { method: "POST", token: follower.token, json: { user_id: followee.id } })),
    );

    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 201)).toHaveLength(1);
    expect(statuses.filter((status) => status === 200)).toHaveLength(7);
    expect(await countFollows(follower.id, followee.id)).toBe(1);
  });

  it("rejects following yourself with 422", async () => {
    const user = await createUser("self");
    const response = await request("/follows", { method: "POST", token: user.token, json: { user_id: user.id } });
    expect(response.status).toBe(422);
    expect(response.body.error.code).toBe("CANNOT_FOLLOW_SELF");
    expect(await countFollows(user.id)).toBe(0);
  });

  it("rejects an unknown user with 404", async () => {
    const user = await createUser("unknown");
    const response = await request("/follows", { method: "POST", token: user.token, json: { user_id: 2_000_000_000 } });
    expect(response.status).toBe(404);
    expect(response.body.message).toContain("2000000000");
  });

  it.each([[{}], [{ user_id: "5" }], [{ user_id: 0 }], [{ user_id: -3 }], [{ user_id: 1.5 }], [{ user_id: null }], [{ user_id: 99_999_999_999 }]])(
    "rejects %j with 400 naming user_id",
    async (body) => {
      const user = await createUser("invalid");
      const response = await request("/follows", { method: "POST", token: user.token, json: body });
      expect(response.status).toBe(400);
      expect(response.body.error.details.issues[0].path).toBe("user_id");
      expect(await countFollows(user.id)).toBe(0);
    },
  );

  it("enforces the follow cap with 422", async () => {
    const follower = await createUser("capped");
    const targets = await Promise.all([createUser("cap1"), createUser("cap2"), createUser("cap3")]);
    const bindings = testBindings({ MAX_FOLLOWING: "2" });

    const statuses: number[] = [];
    for (const target of targets) {
      const response = await request("/follows", { method: "POST", token: follower.token, json: { user_id: target.id } }, bindings);
      statuses.push(response.status);
      if (response.status === 422) expect(response.body.error.code).toBe("FOLLOW_LIMIT_REACHED");
    }

    expect(statuses).toEqual([201, 201, 422]);
    expect(await countFollows(follower.id)).toBe(2);

    // Re-following someone already followed at the cap is not a new follow.
    const again = await request("/follows", { method: "POST", token: follower.token, json: { user_id: targets[0]!.id } }, bindings);
    expect(again.status).toBe(200);
  });

  it("keeps the cap under concurrent follows", async () => {
    const follower = await createUser("capburst");
    const targets = await Promise.all(Array.from({ length: 5 }, (_, index) => createUser(`burst${index}`)));
    const bindings = testBindings({ MAX_FOLLOWING: "3" });

    const responses = await Promise.all(targets.map((target) => request("/follows", { method: "POST", token: follower.token, json: { user_id: target.id } }, bindings)));
    expect(responses.filter((response) => response.status === 201)).toHaveLength(3);
    expect(responses.filter((response) => response.status === 422)).toHaveLength(2);
    expect(await countFollows(follower.id)).toBe(3);
  });
});

describe("DELETE /follows", () => {
  it("unfollows by body and by path", async () => {
    const follower = await createUser("unfollower");
    const [first, second] = await Promise.all([createUser("ex1"), createUser("ex2")]);
    await request("/follows", { method: "POST", token: follower.token, json: { user_id: first.id } });
    await request("/follows", { method: "POST", token: follower.token, json: { user_id: second.id } });

    const byBody = await request("/follows", { method: "DELETE", token: follower.token, json: { user_id: first.id } });
    expect(byBody.status).toBe(200);
    const byPath = await request(`/follows/${second.id}`, { method: "DELETE", token: follower.token });
    expect(byPath.status).toBe(200);
    expect(await countFollows(follower.id)).toBe(0);
  });

  it("answers 404 when not following", async () => {
    const follower = await createUser("notfollowing");
    const other = await createUser("stranger");
    const response = await request(`/follows/${other.id}`, { method: "DELETE", token: follower.token });
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe("NOT_FOLLOWING");
  });

  it("rejects a non-numeric path id with 400", async () => {
    const user = await createUser("badpath");
    const response = await request("/follows/abc", { method: "DELETE", token: user.token });
    expect(response.status).toBe(400);
    expect(response.body.error.details.issues[0].path).toBe("user_id");
  });

  it("removes follows when a user is deleted", async () => {
    const follower = await createUser("cascade");
    const followee = await createUser("leaving");
    await request("/follows", { method: "POST", token: follower.token, json: { user_id: followee.id } });
    await database.primary.delete(users).where(eq(users.id, followee.id));
    expect(await countFollows(follower.id)).toBe(0);
  });
});

describe("GET /users", () => {
  it("lists users with follow state and counts, never a hash", async () => {
    const viewer = await createUser("viewer");
    const star = await createUser("star");
    const fan = await createUser("fan");
    await request("/follows", { method: "POST", token: viewer.token, json: { user_id: star.id } });
    await request("/follows", { method: "POST", token: fan.token, json: { user_id: star.id } });

    const response = await request(`/users?q=${encodeURIComponent(star.email)}`, { token: viewer.token });
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual([
      { id: star.id, name: star.name, email: star.email, is_following: true, followers_count: 2, following_count: 0 },
    ]);
    expect(response.body.meta.total_count).toBe(1);
    expect(JSON.stringify(response.body)).not.toMatch(/scrypt|password/i);
  });

  it("matches part of a name ignoring case", async () => {
    const viewer = await createUser("searcher");
    const response = await request("/users?q=TEST%20SEARCHER", { token: viewer.token });
    expect(response.body.data.map((user: { id: number }) => user.id)).toContain(viewer.id);
  });

  it("treats LIKE wildcards and quotes literally", async () => {
    const viewer = await createUser("wildcard");
    for (const q of ["%", "_", "' or 1=1 --", "\\"]) {
      const response = await request(`/users?q=${encodeURIComponent(q)}`, { token: viewer.token });
      expect(response.status).toBe(200);
      expect(response.body.meta.total_count).toBe(0);
    }
  });

  it("paginates with the standard meta", async () => {
    const viewer = await createUser("pager");
    const response = await request("/users?per_page=2&page=1", { token: viewer.token });
    expect(response.body.data).toHaveLength(2);
    expect(response.body.meta).toMatchObject({ current_page: 1, per_page: 2, next_page: 2, prev_page: null });
  });

  it("rejects an overlong q with 400", async () => {
    const viewer = await createUser("longq");
    const response = await request(`/users?q=${"x".repeat(101)}`, { token: viewer.token });
    expect(response.status).toBe(400);
    expect(response.body.error.details.issues[0].path).toBe("q");
  });
});

describe("GET /following and /followers", () => {
  it("lists both sides of the relation", async () => {
    const alice = await createUser("alice");
    const bob = await createUser("bob");
    const carol = await createUser("carol");
    await request("/follows", { method: "POST", token: alice.token, json: { user_id: bob.id } });
    await request("/follows", { method: "POST", token: alice.token, json: { user_id: carol.id } });
    await request("/follows", { method: "POST", token: carol.token, json: { user_id: alice.id } });

    const following = await request("/following", { token: alice.token });
    expect(following.body.data.map((user: { id: number }) => user.id)).toEqual([carol.id, bob.id]);
    expect(following.body.meta.total_count).toBe(2);
    expect(following.body.data.every((user: { is_following: boolean }) => user.is_following)).toBe(true);

    const followers = await request("/followers", { token: alice.token });
    expect(followers.body.data).toEqual([
      { id: carol.id, name: carol.name, email: carol.email, is_following: true, followers_count: 1, following_count: 1 },
    ]);
  });
});

describe("tRPC follow procedures", () => {
  it("follow, list and unfollow", async () => {
    const follower = await createUser("trpcfollow");
    const followee = await createUser("trpcfollowee");

    const followed = await request("/trpc/follow.follow", { method: "POST", token: follower.token, json: { user_id: followee.id } });
    expect(followed.body.result.data.created).toBe(true);

    const input = encodeURIComponent(JSON.stringify({ per_page: 5 }));
    const following = await request(`/trpc/follow.following?input=${input}`, { token: follower.token });
    expect(following.body.result.data.data[0].id).toBe(followee.id);

    const self = await request("/trpc/follow.follow", { method: "POST", token: follower.token, json: { user_id: follower.id } });
    expect(self.status).toBe(422);
    expect(self.body.error.data.domain_code).toBe("CANNOT_FOLLOW_SELF");

    const unfollowed = await request("/trpc/follow.unfollow", { method: "POST", token: follower.token, json: { user_id: followee.id } });
    expect(unfollowed.status).toBe(200);
    expect(await countFollows(follower.id)).toBe(0);

    const users = await request(`/trpc/users.list?input=${encodeURIComponent(JSON.stringify({ q: followee.email }))}`, { token: follower.token });
    expect(users.body.result.data.data[0]).toMatchObject({ id: followee.id, is_following: false });
  });
});
