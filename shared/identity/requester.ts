/**
 * Who asks, as every context's application layer sees it: the platform's user id of the verified caller
 * (`usr_` + ULID) and whether they are staff. HTTP handlers get it from the authorizer's claims
 * (`shared/http/caller.ts`); nothing else may set it.
 */
export interface Requester {
  readonly userId: string;
  readonly isStaff: boolean;
}

/**
 * True when `requester` may see or act on what `ownerId` owns: its owner, and staff. Routes answer 404
 * otherwise, as for an unknown resource, so that no one learns what exists of other customers'.
 */
export function mayAccess(requester: Requester, ownerId: string): boolean {
  return requester.isStaff || requester.userId === ownerId;
}
