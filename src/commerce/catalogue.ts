// Products and their plans: data an operator edits, public to read.
import type { Db } from './types.ts';
import { invalid, notFound, conflict } from './errors.ts';
import { isUniqueViolation } from './accounts.ts';

export interface Plan {
  id: number;
  priceFen: number;
  calls: number;
  validDays: number;
  oncePerBuyer: boolean;
  active: boolean;
}

export interface Product {
  id: number;
  code: string;
  name: string;
  description: string;
  apiPath: string;
  active: boolean;
  plans: Plan[];
}

/** The catalogue; `includeInactive` for operators, who also see withdrawn products and plans. */
export async function listProducts(db: Db, opts: { includeInactive?: boolean } = {}): Promise<Product[]> {
  let pq = db.selectFrom('products').selectAll().orderBy('sort').orderBy('id');
  if (!opts.includeInactive) pq = pq.where('active', '=', 1);
  const products = await pq.execute();
  let lq = db.selectFrom('plans').selectAll().orderBy('sort').orderBy('price_fen').orderBy('id');
  if (!opts.includeInactive) lq = lq.where('active', '=', 1);
  const plans = await lq.execute();
  return products.map((p) => ({
    id: Number(p.id),
    code: p.code,
    name: p.name,
    description: p.description,
    apiPath: p.api_path,
    active: p.active === 1,
    plans: plans.filter((l) => Number(l.product_id) === Number(p.id)).map(toPlan),
  }));
}

function toPlan(l: { id: number; price_fen: number; calls: number; valid_days: number; once_per_buyer: number; active: number }): Plan {
  return { id: Number(l.id), priceFen: Number(l.price_fen), calls: Number(l.calls), validDays: Number(l.valid_days), oncePerBuyer: l.once_per_buyer === 1, active: l.active === 1 };
}

export async function findPlan(db: Db, planId: number) {
  const row = await db.selectFrom('plans').innerJoin('products', 'products.id', 'plans.product_id')
    .select(['plans.id', 'plans.price_fen', 'plans.calls', 'plans.valid_days', 'plans.once_per_buyer', 'plans.active',
      'products.code as product_code', 'products.name as product_name', 'products.active as product_active'])
    .where('plans.id', '=', planId).executeTakeFirst();
  return row;
}

export async function productByCode(db: Db, code: string) {
  return db.selectFrom('products').selectAll().where('code', '=', code).executeTakeFirst();
}

const MAX_FEN = 1_000_000_000_00; // one billion yuan
const MAX_CALLS = 1_000_000_000;

export interface ProductInput {
  code?: string;
  name?: string;
  description?: string;
  apiPath?: string;
  active?: boolean;
}

function checkText(value: string, field: string, max: number): string {
  const v = value.trim();
  if (!v || v.length > max || /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(v)) throw invalid('invalid_' + field, `${field} must be 1 to ${max} printable characters`);
  return v;
}

export async function createProduct(db: Db, input: Required<Omit<ProductInput, 'active'>> & { active?: boolean }, now: number): Promise<number> {
  if (!/^[a-z0-9][a-z0-9-]{0,39}$/.test(input.code)) throw invalid('invalid_code', 'code must be lower-case letters, digits and dashes');
  if (!/^\/[A-Za-z0-9/_-]{0,99}$/.test(input.apiPath)) throw invalid('invalid_apiPath', 'apiPath must be a path such as /OcridCard');
  try {
    const row = await db.insertInto('products').values({
      code: input.code, name: checkText(input.name, 'name', 100), description: checkText(input.description, 'description', 2000),
      api_path: input.apiPath, active: input.active === false ? 0 : 1, sort: 100, created_at: now, updated_at: now,
    }).returning('id').executeTakeFirstOrThrow();
    return Number(row.id);
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict('code_taken', 'a product with this code exists');
    throw err;
  }
}

export async function updateProduct(db: Db, productId: number, input: Omit<ProductInput, 'code' | 'apiPath'>, now: number): Promise<void> {
  const set: Record<string, unknown> = { updated_at: now };
  if (input.name !== undefined) set.name = checkText(input.name, 'name', 100);
  if (input.description !== undefined) set.description = checkText(input.description, 'description', 2000);
  if (input.active !== undefined) set.active = input.active ? 1 : 0;
  const r = await db.updateTable('products').set(set).where('id', '=', productId).executeTakeFirst();
  if (Number(r.numUpdatedRows) === 0) throw notFound('product');
}

export interface PlanInput {
  priceFen: number;
  calls: number;
  validDays: number;
  oncePerBuyer?: boolean;
  active?: boolean;
}

function checkPlan(input: Partial<PlanInput>): void {
  if (input.priceFen !== undefined && (!Number.isSafeInteger(input.priceFen) || input.priceFen < 0 || input.priceFen > MAX_FEN)) throw invalid('invalid_price', 'priceFen must be a whole number of fen, 0 or more');
  if (input.calls !== undefined && (!Number.isSafeInteger(input.calls) || input.calls < 1 || input.calls > MAX_CALLS)) throw invalid('invalid_calls', 'calls must be a whole number from 1');
  if (input.validDays !== undefined && (!Number.isSafeInteger(input.validDays) || input.validDays < 1 || input.validDays > 3650)) throw invalid('invalid_validDays', 'validDays must be from 1 to 3650');
}

export async function createPlan(db: Db, productId: number, input: PlanInput, now: number): Promise<number> {
  checkPlan(input);
  const product = await db.selectFrom('products').select('id').where('id', '=', productId).executeTakeFirst();
  if (!product) throw notFound('product');
  const row = await db.insertInto('plans').values({
    product_id: productId, price_fen: input.priceFen, calls: input.calls, valid_days: input.validDays,
    once_per_buyer: input.oncePerBuyer ? 1 : 0, active: input.active === false ? 0 : 1, sort: 100, created_at: now, updated_at: now,
  }).returning('id').executeTakeFirstOrThrow();
  return Number(row.id);
}

/** Edits a plan; orders keep the terms they were placed with. */
export async function updatePlan(db: Db, planId: number, input: Partial<PlanInput>, now: number): Promise<void> {
  checkPlan(input);
  const set: Record<string, unknown> = { updated_at: now };
  if (input.priceFen !== undefined) set.price_fen = input.priceFen;
  if (input.calls !== undefined) set.calls = input.calls;
  if (input.validDays !== undefined) set.valid_days = input.validDays;
  if (input.oncePerBuyer !== undefined) set.once_per_buyer = input.oncePerBuyer ? 1 : 0;
  if (input.active !== undefined) set.active = input.active ? 1 : 0;
  const r = await db.updateTable('plans').set(set).where('id', '=', planId).executeTakeFirst();
  if (Number(r.numUpdatedRows) === 0) throw notFound('plan');
}
