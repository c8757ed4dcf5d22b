/** A refusal the console or admin API shows to the user: HTTP status, stable code, message. */
export class CommerceError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
    this.name = 'CommerceError';
  }
}

export const notFound = (what: string) => new CommerceError(404, 'not_found', `${what} not found`);
export const conflict = (code: string, message: string) => new CommerceError(409, code, message);
export const invalid = (code: string, message: string) => new CommerceError(400, code, message);
