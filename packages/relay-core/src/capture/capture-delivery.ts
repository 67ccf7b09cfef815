import type { Delivery, DeliveryResult } from "../pipeline/pipeline.js";
import type { CapturedEnvelope, CaptureStore } from "./capture-store.js";
import { describeEnvelope } from "./describe-envelope.js";

/**
 * Capture mode's delivery: keeps each processed envelope in the capture store. Envelopes
 * delivered in the same turn of the event loop are written in one transaction.
 */
export function captureDelivery(store: CaptureStore): Delivery {
  let pending: { envelope: CapturedEnvelope; resolve: (result: DeliveryResult) => void; reject: (error: unknown) => void }[] = [];
  const flush = (): void => {
    const batch = pending;
    pending = [];
    try {
      store.addMany(batch.map((item) => item.envelope));
      for (const item of batch) item.resolve({ status: "delivered" });
    } catch (error) {
      for (const item of batch) item.reject(error);
    }
  };
  return {
    deliver(ready) {
      const envelope: CapturedEnvelope = {
        id: ready.source.id,
        projectId: ready.source.projectId,
        receivedAt: ready.source.receivedAt,
        itemTypes: ready.itemTypes,
        title: describeEnvelope(ready.payload, ready.itemTypes, ready.title),
        envelope: ready.payload,
      };
      return new Promise((resolve, reject) => {
        if (pending.length === 0) setImmediate(flush);
        pending.push({ envelope, resolve, reject });
      });
    },
  };
}
