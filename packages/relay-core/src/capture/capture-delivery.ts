import type { Delivery } from "../pipeline/pipeline.js";
import type { CaptureStore } from "./capture-store.js";

/** Capture mode's delivery: keeps each processed envelope in the capture store. */
export function captureDelivery(store: CaptureStore): Delivery {
  return {
    deliver(ready) {
      store.add({
        id: ready.source.id,
        projectId: ready.source.projectId,
        receivedAt: ready.source.receivedAt,
        itemTypes: ready.itemTypes,
        title: ready.title,
        envelope: ready.payload,
      });
      return Promise.resolve({ status: "delivered" });
    },
  };
}
