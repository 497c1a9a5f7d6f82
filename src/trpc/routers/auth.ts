import { loginInputSchema, registerInputSchema, sessionSchema, userSchema } from "../../contracts/auth.js";
import { login, register } from "../../domain/auth.js";
import { authedProcedure, publicProcedure, router } from "../init.js";

export const authRouter = router({
  login: publicProcedure
    .input(loginInputSchema)
    .output(sessionSchema)
    .mutation(({ ctx, input }) => login(ctx.services, input)),

  register: publicProcedure
    .input(registerInputSchema)
    .output(userSchema)
    .mutation(({ ctx, input }) => register(ctx.services, input)),

  me: authedProcedure.output(userSchema).query(({ ctx }) => ctx.user),
});
