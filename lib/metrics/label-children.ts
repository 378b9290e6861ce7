/**
 * Label children of a prom-client metric, made once per label combination and kept: the hot path
 * looks a child up in nested Maps by the label values it already has, instead of prom-client
 * hashing a label object into a string at every update.
 */

/** A label value as the caller has it (a status code stays a number). */
export type LabelValue = string | number;

export class ChildrenBy1<Child> {
  readonly #children = new Map<LabelValue, Child>();
  readonly #make: (a: LabelValue) => Child;
  constructor(make: (a: LabelValue) => Child) {
    this.#make = make;
  }
  of(a: LabelValue): Child {
    let child = this.#children.get(a);
    if (child === undefined) {
      child = this.#make(a);
      this.#children.set(a, child);
    }
    return child;
  }
}

export class ChildrenBy2<Child> {
  readonly #children = new Map<LabelValue, ChildrenBy1<Child>>();
  readonly #make: (a: LabelValue, b: LabelValue) => Child;
  constructor(make: (a: LabelValue, b: LabelValue) => Child) {
    this.#make = make;
  }
  of(a: LabelValue, b: LabelValue): Child {
    let inner = this.#children.get(a);
    if (inner === undefined) {
      inner = new ChildrenBy1((second) => this.#make(a, second));
      this.#children.set(a, inner);
    }
    return inner.of(b);
  }
}

export class ChildrenBy3<Child> {
  readonly #children = new Map<LabelValue, ChildrenBy2<Child>>();
  readonly #make: (a: LabelValue, b: LabelValue, c: LabelValue) => Child;
  constructor(make: (a: LabelValue, b: LabelValue, c: LabelValue) => Child) {
    this.#make = make;
  }
  of(a: LabelValue, b: LabelValue, c: LabelValue): Child {
    let inner = this.#children.get(a);
    if (inner === undefined) {
      inner = new ChildrenBy2((second, third) => this.#make(a, second, third));
      this.#children.set(a, inner);
    }
    return inner.of(b, c);
  }
}
