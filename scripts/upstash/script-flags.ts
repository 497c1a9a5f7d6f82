// Upstash accepts the Lua shebang flag `allow-key-locking`, and @upstash/ratelimit 2.2 starts
// every script with `#!lua flags=allow-key-locking`. Redis rejects it (7.0.15 replies
// "ERR Unexpected flag in script shebang: allow-key-locking"), so the endpoint removes the flag
// before the script reaches Redis.
//
// Removing it changes the script text and so its SHA1, while clients call EVALSHA with the SHA1
// of the text they hold. The rewriter therefore remembers which Redis SHA1 belongs to each
// client SHA1 and translates EVALSHA, SCRIPT LOAD and SCRIPT EXISTS.

import { createHash } from "node:crypto";

import type { Command } from "./backend.js";
import type { Reply } from "./resp.js";

/** Shebang flags that only Upstash accepts. Each is removed before the script is sent to Redis. */
const UPSTASH_ONLY_FLAGS = new Set(["allow-key-locking"]);

export interface RewrittenCommand {
  command: Command;
  /** Maps the Redis reply back to what Upstash would have returned for the original command. */
  adjustReply: (reply: Reply) => Reply;
}

const unchanged = (reply: Reply): Reply => reply;

function sha1Hex(data: Buffer): string {
  return createHash("sha1").update(data).digest("hex");
}

/** Returns the script without Upstash-only shebang flags, or undefined when it has none. */
export function stripUpstashOnlyFlags(script: Buffer): Buffer | undefined {
  const text = script.toString("utf8");
  const firstLineEnd = text.indexOf("\n");
  const firstLine = firstLineEnd === -1 ? text : text.slice(0, firstLineEnd);
  const match = /^#!lua\s+flags=(\S*)\s*$/.exec(firstLine);
  if (match === null) return undefined;

  const flags = match[1]!.split(",").filter((flag) => flag !== "");
  const remainingFlags = flags.filter((flag) => !UPSTASH_ONLY_FLAGS.has(flag));
  if (remainingFlags.length === flags.length) return undefined;

  // Keeping `#!lua` preserves shebang semantics (no flags means a script that may write).
  const shebang = remainingFlags.length === 0 ? "#!lua" : `#!lua flags=${remainingFlags.join(",")}`;
  const rest = firstLineEnd === -1 ? "" : text.slice(firstLineEnd);
  return Buffer.from(shebang + rest, "utf8");
}

export class ScriptFlagRewriter {
  private readonly redisShaByClientSha = new Map<string, string>();

  rewrite(command: Command): RewrittenCommand {
    const name = command[0]!.toString("utf8").toUpperCase();

    if ((name === "EVAL" || name === "EVAL_RO") && command.length >= 2) {
      const stripped = this.strip(command[1]!);
      if (stripped === undefined) return { command, adjustReply: unchanged };
      return { command: [command[0]!, stripped, ...command.slice(2)], adjustReply: unchanged };
    }

    if ((name === "EVALSHA" || name === "EVALSHA_RO") && command.length >= 2) {
      return { command: [command[0]!, this.translateSha(command[1]!), ...command.slice(2)], adjustReply: unchanged };
    }

    const subcommand = command[1]?.toString("utf8").toUpperCase();
    if (name === "SCRIPT" && subcommand === "LOAD" && command.length === 3) {
      const clientSha = sha1Hex(command[2]!);
      const stripped = this.strip(command[2]!);
      if (stripped === undefined) return { command, adjustReply: unchanged };
      // Redis returns the SHA1 of the stripped text; the client expects the SHA1 of what it sent.
      const adjustReply = (reply: Reply): Reply => (Buffer.isBuffer(reply) ? Buffer.from(clientSha) : reply);
      return { command: [command[0]!, command[1]!, stripped], adjustReply };
    }
    if (name === "SCRIPT" && subcommand === "EXISTS") {
      return { command: [command[0]!, command[1]!, ...command.slice(2).map((sha) => this.translateSha(sha))], adjustReply: unchanged };
    }

    return { command, adjustReply: unchanged };
  }

  /** Strips the flags and records the SHA1 pair, so a later EVALSHA with the client's SHA1 finds the script. */
  private strip(script: Buffer): Buffer | undefined {
    const stripped = stripUpstashOnlyFlags(script);
    if (stripped !== undefined) this.redisShaByClientSha.set(sha1Hex(script), sha1Hex(stripped));
    return stripped;
  }

  /**
   * Unknown SHA1s pass through unchanged. After an endpoint restart the map is empty, Redis then
   * replies NOSCRIPT, and clients that fall back to EVAL (as @upstash/redis Script and ratelimit do) recover.
   */
  private translateSha(sha: Buffer): Buffer {
    const redisSha = this.redisShaByClientSha.get(sha.toString("utf8").toLowerCase());
    return redisSha === undefined ? sha : Buffer.from(redisSha);
  }
}
