// generated from schemas/ by npm run gen:types — do not edit

/** Why a stock reservation was rejected. */
export type StockRejectionReason = 'out_of_stock' | 'unknown_sku' | 'fault_injected';

/** A SKU that could not be reserved in the requested quantity. */
export interface StockShortage {
  /** Stock keeping unit. */
  sku: string;
  /** Units the order asked for. */
  requested: number;
  /** Units available when the reservation was attempted (0 for an unknown SKU). */
  available: number;
}

/** Reply from inventory: the order could not be reserved; nothing is held. */
export interface StockRejected {
  /** Order id (UUID) whose reservation was rejected; also the Kafka message key. */
  orderId: string;
  /** Why the reservation was rejected. */
  reason: StockRejectionReason;
  /** SKUs that could not be reserved; may be empty (e.g. for an injected fault). */
  shortages: StockShortage[];
}

/** Reply from inventory to ReleaseStock. */
export interface StockReleased {
  /** Order id (UUID) whose reservation was released; also the Kafka message key. */
  orderId: string;
  /** True when a reservation was released; false when there was nothing to release. */
  released: boolean;
}

/** One reserved line (one per SKU) with its catalog price at reservation time. */
export interface ReservedLine {
  /** Stock keeping unit. */
  sku: string;
  /** Units reserved of this SKU (the order's lines of the SKU summed). */
  quantity: number;
  /** Catalog price of one unit in minor units of currency. */
  unitPrice: number;
  /** ISO 4217 currency code of unitPrice, e.g. EUR. */
  currency: string;
}

/** Reply from inventory: every line of the order is reserved, with each line's catalog price. */
export interface StockReserved {
  /** Order id (UUID) the reservation belongs to; also the Kafka message key. */
  orderId: string;
  /** Id of the reservation held by inventory. */
  reservationId: string;
  /** Reserved lines with their catalog prices (version 2; empty when written by version 1). */
  lines: ReservedLine[];
}
