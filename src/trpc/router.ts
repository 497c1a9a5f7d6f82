import { createCallerFactory, router } from "./init.js";
import { authRouter } from "./routers/auth.js";
import { clockRouter } from "./routers/clock.js";
import { feedRouter } from "./routers/feed.js";
import { followRouter, usersRouter } from "./routers/follows.js";

export const appRouter = router({
  auth: authRouter,
  clock: clockRouter,
  follow: followRouter,
  users: usersRouter,
  feed: feedRouter,
});

/** The router's type, imported by the typed client package. */
export type AppRouter = typeof appRouter;

export const createCaller = createCallerFactory(appRouter);
