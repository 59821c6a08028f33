/**
 * The lab httpd's balancer-level settings read and put back with raw requests to balancer-manager (not the
 * console's adapters), so a test that changes them through the console is checked against httpd itself.
 */

/** As httpd's XML writes them when the lab starts (lab.sh's <Proxy balancer://tomcats>). */
export const BALANCER_MANAGER_CLEAN = { lbmethod: "byrequests", nofailover: "Off", timeout: "0", maxattempts: "2" };

/** The balancer's own fields from balancer-manager's XML (the part before the workers). */
export async function rawBalancerManagerSettings(url: string): Promise<Record<string, string>> {
  const xml = await (await fetch(`${url}?xml=1`, { headers: { Referer: url } })).text();
  const head = xml.split("<httpd:workers>")[0] ?? "";
  const field = (n: string) => new RegExp(`<httpd:${n}>([^<]*)</httpd:${n}>`).exec(head)?.[1] ?? "?";
  return Object.fromEntries(Object.keys(BALANCER_MANAGER_CLEAN).map((n) => [n, field(n)]));
}

/** Posts the clean values with the current nonce (no `w`: balancer-level), and answers what httpd shows after. */
export async function restoreBalancerManagerSettings(url: string, balancer: string): Promise<Record<string, string>> {
  const xml = await (await fetch(`${url}?xml=1`, { headers: { Referer: url } })).text();
  const nonce = /<httpd:nonce>([^<]*)<\/httpd:nonce>/.exec(xml)?.[1] ?? "";
  const body = new URLSearchParams({
    b: balancer,
    nonce,
    b_lbm: BALANCER_MANAGER_CLEAN.lbmethod,
    b_sforce: "0",
    b_tmo: BALANCER_MANAGER_CLEAN.timeout,
    b_max: BALANCER_MANAGER_CLEAN.maxattempts,
    xml: "1",
  });
  await (await fetch(url, { method: "POST", headers: { Referer: url }, body })).text();
  return rawBalancerManagerSettings(url);
}
