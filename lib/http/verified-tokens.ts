/**
 * The principals of bearer tokens this process has verified, keyed by the exact Authorization
 * header, until each token's `exp`: a client's next request costs a map lookup instead of
 * @fastify/jwt's parsing and fast-jwt's cache (which hashes every token). A token without `exp` is
 * verified every time. Bounded: past `max` entries the oldest is dropped. A token's rights cannot
 * grow in the cache: its principal was built from the verified claims, and the route's roles are
 * checked against it on every request.
 */
import type { Principal } from './principal.ts';

export class VerifiedTokens {
  private readonly byHeader = new Map<string, { principal: Principal; expiresAtMs: number }>();
  private readonly max: number;

  constructor(max = 10_000) {
    this.max = max;
  }

  get size(): number {
    return this.byHeader.size;
  }

  /** The principal of a header verified before and not expired at `nowMs`, else undefined. */
  principalOf(header: string, nowMs: number): Principal | undefined {
    const hit = this.byHeader.get(header);
    if (hit === undefined) return undefined;
    if (hit.expiresAtMs <= nowMs) {
      this.byHeader.delete(header);
      return undefined;
    }
    return hit.principal;
  }

  /** Keeps a header whose token verified, until the `exp` of its claims (seconds since the epoch). */
  remember(header: string, principal: Principal, claims: unknown): void {
    const exp = (claims as { exp?: unknown } | null)?.exp;
    if (typeof exp !== 'number' || !Number.isFinite(exp)) return;
    if (this.byHeader.size >= this.max && !this.byHeader.has(header)) {
      const oldest = this.byHeader.keys().next();
      if (!oldest.done) this.byHeader.delete(oldest.value);
    }
    this.byHeader.set(header, { principal, expiresAtMs: exp * 1000 });
  }
}
