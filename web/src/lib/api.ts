// The console and admin JSON APIs: same-origin fetch with the session cookie, the CSRF token in
// the X-CSRF-Token header on every state-changing request, and `{ error: { code, message } }`
// answers turned into ApiError.
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

function cookie(name: string): string | undefined {
  for (const part of document.cookie.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

export type Door = 'console' | 'admin';

async function csrfToken(door: Door): Promise<string> {
  const existing = cookie('shiming_csrf');
  if (existing) return existing;
  const res = await fetch(`/${door}/api/csrf`, { credentials: 'same-origin' });
  const body = (await res.json()) as { csrfToken: string };
  return body.csrfToken;
}

export async function api<T>(door: Door, path: string, init: { method?: string; body?: unknown; form?: FormData } = {}): Promise<T> {
  const method = init.method ?? (init.body !== undefined || init.form ? 'POST' : 'GET');
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method !== 'GET') headers['x-csrf-token'] = await csrfToken(door);
  let body: BodyInit | undefined;
  if (init.form) body = init.form;
  else if (init.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(init.body);
  }
  const res = await fetch(`/${door}/api${path}`, { method, headers, body, credentials: 'same-origin' });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : {};
  } catch {
    json = {};
  }
  if (!res.ok) {
    const err = (json as { error?: { code?: string; message?: string } }).error;
    throw new ApiError(res.status, err?.code ?? `http_${res.status}`, err?.message ?? res.statusText);
  }
  return json as T;
}

/** Downloads a file answer (an export) through a temporary link. */
export async function download(door: Door, path: string, fallbackName: string): Promise<void> {
  const res = await fetch(`/${door}/api${path}`, { credentials: 'same-origin' });
  if (!res.ok) throw new ApiError(res.status, `http_${res.status}`, res.statusText);
  const disposition = res.headers.get('content-disposition') ?? '';
  const name = /filename="([^"]+)"/.exec(disposition)?.[1] ?? fallbackName;
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export const yuan = (fen: number) => `¥${(fen / 100).toFixed(2)}`;

const pad = (n: number) => String(n).padStart(2, '0');
/** Times shown as China time (UTC+8), like the seed's 处理时间. */
export function chinaTime(ms: number | null | undefined, withTime = true): string {
  if (ms === null || ms === undefined) return '';
  const d = new Date(ms + 8 * 3600_000);
  const date = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  return withTime ? `${date} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}` : date;
}
