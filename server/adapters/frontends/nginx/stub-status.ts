import { UnexpectedResponseError } from "@/server/errors";

/**
 * ngx_http_stub_status_module's page (nginx 1.22), server-wide counters only (open source nginx has no
 * per-upstream or per-server numbers):
 *   Active connections: 2
 *   server accepts handled requests
 *    16 16 31
 *   Reading: 0 Writing: 1 Waiting: 1
 */
export interface TStubStatus {
  active: number;
  accepts: number;
  handled: number;
  requests: number;
  reading: number;
  writing: number;
  waiting: number;
}

const STUB_STATUS =
  /Active connections:\s*(\d+)\s+server accepts handled requests\s+(\d+)\s+(\d+)\s+(\d+)\s+Reading:\s*(\d+)\s+Writing:\s*(\d+)\s+Waiting:\s*(\d+)/;

export function parseStubStatus(text: string): TStubStatus {
  const m = STUB_STATUS.exec(text);
  if (!m)
    throw new UnexpectedResponseError(
      "nginx stub_status",
      "the page does not look like stub_status output (check stubStatusUrl)",
      { sample: text.slice(0, 200) },
    );
  const n = (i: number) => Number(m[i]);
  return { active: n(1), accepts: n(2), handled: n(3), requests: n(4), reading: n(5), writing: n(6), waiting: n(7) };
}
