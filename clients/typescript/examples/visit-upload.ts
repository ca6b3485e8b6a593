// A cadre's phone comes back into coverage and uploads the visits recorded offline (走访记录) to pairing
// in one batch. The Idempotency-Key is made once per batch and kept with it: if the answer is lost
// (the connection drops again), the same batch is sent again with the same key and the service answers
// what it answered the first time, storing nothing twice. Each record also carries its own id, made on
// the phone, so a record that reaches the service in two different batches is stored once.
import { bearer, pairingClient, type pairing, type Problem } from "../src/index.ts";

type VisitIn = pairing.components["schemas"]["VisitIn"];
type BatchOut = pairing.components["schemas"]["BatchOut"];

interface PendingBatch {
  idempotencyKey: string; // made when the batch was put together, kept until it is acknowledged
  visits: VisitIn[];
}

export function batchOf(visits: VisitIn[]): PendingBatch {
  return { idempotencyKey: crypto.randomUUID(), visits };
}

export async function uploadVisits(
  baseUrl: string,
  token: () => string,
  batch: PendingBatch,
): Promise<BatchOut> {
  const client = pairingClient({ baseUrl });
  client.use(bearer(token));
  for (let attempt = 1; ; attempt++) {
    try {
      const { data, error, response } = await client.POST("/pairing/v1/sync/batches", {
        params: { header: { "Idempotency-Key": batch.idempotencyKey } },
        body: { records: batch.visits },
        headers: { "Accept-Language": "zh-CN" },
      });
      if (data) {
        // Per record: stored, duplicate (sent before), rejected (with a reason) or conflict.
        for (const r of data.results.filter((r) => r.outcome === "rejected")) {
          console.warn(`记录 ${r.index} 未保存：${r.reason ?? ""}`);
        }
        return data;
      }
      const problem = error as Problem;
      const inFlight = response.status === 409 && problem.type.endsWith("/idempotency-key-in-flight");
      if (response.status === 503 || response.status === 429 || response.status === 408 || (inFlight && attempt < 5)) {
        // Busy, the body stopped arriving (408: nothing stored), or the first send of this key is still
        // being processed: wait, then the same key again. Another 409 (the key was used for a different
        // batch) will not pass by waiting: it is thrown below.
        const seconds = Number(response.headers.get("Retry-After") ?? 2 ** attempt);
        await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
        continue;
      }
      throw new Error(`${problem.title}：${problem.detail} (${problem.type})`);
    } catch (e) {
      if (e instanceof TypeError && attempt < 5) {
        // No network: keep the batch and its key, try again later with both unchanged.
        await new Promise((resolve) => setTimeout(resolve, 2 ** attempt * 1000));
        continue;
      }
      throw e;
    }
  }
}

// Two visits recorded in a village without coverage (synthetic ids).
export const offline = batchOf([
  {
    type: "visit",
    id: "0b5c3a3e-8d6f-4f57-9c4e-2a1d7c9e0f11",
    household_id: "6a1f2d3c-4b5e-4f60-8a7b-9c0d1e2f3a4b",
    visited_on: "2026-12-03",
    kind: "home_visit",
    notes: "了解家庭收入和孩子上学情况",
    measures: ["联系镇卫生院复诊"],
    household_confirmed: true,
  },
  {
    type: "visit",
    id: "1c6d4b4f-9e70-4a68-8d5f-3b2e8daf1a22",
    household_id: "7b2e3d4c-5c6f-4a71-9b8c-0d1e2f3a4b5c",
    visited_on: "2026-12-03",
    kind: "home_visit",
  },
]);
