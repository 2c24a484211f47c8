/**
 * Hub fan-out latency: opens `sockets` live WebSockets for one user, publishes
 * events through the API one at a time, and times each event from the publish
 * request leaving to its arrival on every socket. Used by bench/run.mjs.
 */
import { percentile } from "./load.mjs";

async function openSocket(baseUrl, token) {
  const res = await fetch(`${baseUrl}/api/v1/ws/ticket`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}` },
  });
  if (res.status !== 201) throw new Error(`ticket: ${res.status} ${await res.text()}`);
  const { url } = await res.json();
  const ws = new WebSocket(`${url}&topics=user`);
  await new Promise((resolve, reject) => {
    ws.addEventListener(
      "message",
      (message) => {
        if (JSON.parse(message.data).type === "welcome") resolve();
      },
      { once: true },
    );
    ws.addEventListener("error", () => reject(new Error("socket error")), { once: true });
  });
  return ws;
}

/** Publishes `events` events to `sockets` sockets; returns per-delivery and per-event (slowest socket) latencies. */
export async function measureFanout({ baseUrl, token, sockets, events, onProgress }) {
  const open = [];
  for (let i = 0; i < sockets; i += 50) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(50, sockets - i) }, () => openSocket(baseUrl, token)),
    );
    open.push(...batch);
    onProgress?.(`opened ${open.length}/${sockets} sockets`);
  }
  const deliveries = [];
  const slowest = [];
  for (let n = 0; n < events; n++) {
    const marker = `fanout-${sockets}-${n}-${Math.random()}`;
    const arrivals = open.map(
      (ws) =>
        new Promise((resolve) => {
          const onMessage = (message) => {
            const frame = JSON.parse(message.data);
            if (frame.type === "event" && frame.event.data?.text === marker) {
              ws.removeEventListener("message", onMessage);
              resolve(performance.now());
            }
          };
          ws.addEventListener("message", onMessage);
        }),
    );
    const started = performance.now();
    const res = await fetch(`${baseUrl}/api/v1/events`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ type: "user.message", data: { text: marker } }),
    });
    if (res.status !== 201) throw new Error(`publish: ${res.status} ${await res.text()}`);
    const times = (await Promise.all(arrivals)).map((at) => at - started);
    deliveries.push(...times);
    slowest.push(Math.max(...times));
    onProgress?.(`event ${n + 1}/${events} delivered to all ${sockets}`);
  }
  for (const ws of open) ws.close();
  const round = (ms) => Math.round(ms * 100) / 100;
  const sortedDeliveries = Float64Array.from(deliveries).sort();
  const sortedSlowest = Float64Array.from(slowest).sort();
  return {
    sockets,
    events,
    delivery_p50_ms: round(percentile(sortedDeliveries, 50)),
    delivery_p95_ms: round(percentile(sortedDeliveries, 95)),
    delivery_p99_ms: round(percentile(sortedDeliveries, 99)),
    all_delivered_p50_ms: round(percentile(sortedSlowest, 50)),
    all_delivered_max_ms: round(sortedSlowest.at(-1) ?? 0),
  };
}
