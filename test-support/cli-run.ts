import { run } from "@/server/cli/main";

/** `clusterdeck …` in-process against a console at `url` with `token`: its exit code and what it printed. */
export async function runCli(url: string, token: string, argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await run(argv, {
    out: (t) => (stdout += `${t}\n`),
    err: (t) => (stderr += `${t}\n`),
    env: { ...process.env, CLUSTERDECK_URL: url, CLUSTERDECK_TOKEN: token },
  });
  return { code, stdout, stderr };
}
