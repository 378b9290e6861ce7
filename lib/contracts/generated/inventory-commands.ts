// generated from schemas/ by npm run gen:types — do not edit

/** Compensation from the orchestrator: release the stock reserved for an order. Idempotent: releasing nothing is a no-op. */
export interface ReleaseStock {
  /** Order id (UUID) whose reservation is released; also the Kafka message key. */
  orderId: string;
  /** Why the reservation is released (human-readable, for logs and history). */
  reason: string;
}

/** One line of a stock reservation. */
export interface StockItem {
  /** Stock keeping unit. */
  sku: string;
  /** Units to reserve (> 0). */
  quantity: number;
}

/** Command from the orchestrator: reserve stock for every line of an order (all or nothing). */
export interface ReserveStock {
  /** Order id (UUID) of the order to reserve stock for; also the Kafka message key. */
  orderId: string;
  /** Lines to reserve; never empty. */
  items: StockItem[];
}
