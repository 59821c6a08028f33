/**
 * The script the generated-client test compiles with tsc against types that openapi-typescript made
 * from the OpenAPI document, then runs against a console it serves (server/api/generated-client.test.ts):
 * create a cluster, add a member, drain it, read its history. It is a string because it imports the
 * generated `./api.js`, which exists only in the test's folder.
 */
export const DEMO_SCRIPT = `
import type { paths } from "./api.js";

type Body<P extends keyof paths, M extends "post" | "patch"> = paths[P][M] extends {
  requestBody?: { content: { "application/json": infer B } };
}
  ? B
  : never;
type Answer<P extends keyof paths, M extends "get" | "post", S extends 200 | 201> = paths[P][M] extends {
  responses: { [K in S]: { content: { "application/json": infer A } } };
}
  ? A
  : never;

const base = \`\${process.env.CLUSTERDECK_URL}/api/v1\`;
const headers = { authorization: \`Bearer \${process.env.CLUSTERDECK_TOKEN}\`, "content-type": "application/json" };

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!res.ok) throw new Error(\`\${method} \${path}: HTTP \${res.status} \${await res.text()}\`);
  return (await res.json()) as T;
}

const newCluster: Body<"/clusters", "post"> = { name: "generated", description: "made by a generated client" };
const cluster = await call<Answer<"/clusters", "post", 201>>("POST", "/clusters", newCluster);

const newMember: Body<"/members", "post"> = {
  clusterId: cluster.id,
  data: { name: "tomcat1", route: "tomcat1", host: "127.0.0.1", ajpPort: 8009 },
};
const member = await call<Answer<"/members", "post", 201>>("POST", "/members", newMember);

const drain: Body<"/clusters/{cluster}/members/{member}/drain", "post"> = { force: true };
const drained = await call<Answer<"/clusters/{cluster}/members/{member}/drain", "post", 200>>(
  "POST",
  \`/clusters/\${cluster.name}/members/\${member.name}/drain\`,
  drain,
);

const history = await call<Answer<"/clusters/{name}/history", "get", 200>>(
  "GET",
  \`/clusters/\${cluster.name}/history?range=15m&members=\${member.route}\`,
);
const view = await call<Answer<"/clusters/{name}", "get", 200>>("GET", \`/clusters/\${cluster.name}\`);

console.log(
  JSON.stringify({
    cluster: cluster.name,
    member: member.name,
    action: drained.action,
    intended: view.members.find((m) => m.name === member.name)?.intendedState,
    historyRange: history.range,
    historyRoutes: history.routes,
    historyPoints: history.points.length,
  }),
);
`;
