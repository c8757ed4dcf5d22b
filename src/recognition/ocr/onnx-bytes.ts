// Just enough protobuf to read an ONNX model's top-level graph and write it back with some nodes
// replaced and some float tensors changed in place — for the graph clean-up in fuse.ts.
//
// Why not a protobuf library: we touch a handful of fields (node inputs/outputs/op/attributes,
// float initializers) and want every other byte of the model — opset imports, metadata,
// value_info, the 10 MB of weights we do not change — copied through verbatim, which a
// decode/encode round trip through generated classes would not guarantee. Field numbers follow
// onnx/onnx.proto3.

/** One protobuf field: its number, wire type, where the whole field (tag included) and its
 *  payload sit in the buffer, and the value of a varint field. */
export interface Field {
  fieldNo: number;
  wireType: number;
  /** a varint field's value as a number: exact below 2^53, which covers tags, lengths, enums and
   *  dims; a negative int64 (ten bytes) comes out as about 2^64 - |v| */
  varint?: number;
  /** payload start/end (for length-delimited fields: the bytes after the length) */
  dataStart: number;
  dataEnd: number;
  /** whole field start/end, tag included */
  start: number;
  end: number;
}

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LENGTH_DELIMITED = 2;
const WIRE_FIXED32 = 5;

// Read position shared by readVarint and its callers: set before the call, read back after, with
// no yield in between (a module-level cursor rather than a closure per readFields call, which
// matters when a model has thousands of small messages).
let cursor = 0;

function readVarint(buf: Uint8Array, end: number): number {
  let value = 0;
  let scale = 1;
  for (let i = 0; ; i++) {
    if (cursor >= end || i >= 10) throw new Error(`malformed varint at ${cursor}`);
    const byte = buf[cursor++]!;
    value += (byte & 0x7f) * scale;
    if (!(byte & 0x80)) return value;
    scale *= 128;
  }
}

/** Iterates the fields of the message in buf[start, end). Throws on malformed input (a length
 *  running past the end, an unknown wire type), so garbage never yields garbage offsets. */
export function* readFields(buf: Uint8Array, start = 0, end = buf.length): Generator<Field> {
  if (start < 0 || end > buf.length) throw new Error('message outside the buffer');
  let p = start;
  while (p < end) {
    const fieldStart = p;
    cursor = p;
    const tag = readVarint(buf, end);
    const fieldNo = Math.floor(tag / 8);
    const wireType = tag % 8;
    if (fieldNo === 0) throw new Error(`protobuf field number 0 at ${fieldStart}`);
    if (wireType === WIRE_VARINT) {
      const varint = readVarint(buf, end);
      p = cursor;
      yield { fieldNo, wireType, varint, dataStart: p, dataEnd: p, start: fieldStart, end: p };
      continue;
    }
    let length: number;
    if (wireType === WIRE_LENGTH_DELIMITED) length = readVarint(buf, end);
    else if (wireType === WIRE_FIXED32) length = 4;
    else if (wireType === WIRE_FIXED64) length = 8;
    else throw new Error(`unsupported protobuf wire type ${wireType} at ${fieldStart}`);
    const dataStart = cursor;
    if (dataStart + length > end) throw new Error(`protobuf field runs past its message at ${fieldStart}`);
    p = dataStart + length;
    yield { fieldNo, wireType, dataStart, dataEnd: p, start: fieldStart, end: p };
  }
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: true });
const utf8Encoder = new TextEncoder();

export function fieldText(buf: Uint8Array, f: Field): string {
  return utf8Decoder.decode(buf.subarray(f.dataStart, f.dataEnd));
}

export function encodeVarint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  do {
    let byte = v & 0x7f;
    v = Math.floor(v / 128);
    if (v) byte |= 0x80;
    out.push(byte);
  } while (v);
  return out;
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** A length-delimited field (sub-message, string or bytes). */
export function lengthDelimited(fieldNo: number, payload: Uint8Array): Uint8Array {
  const header = Uint8Array.from([...encodeVarint((fieldNo << 3) | WIRE_LENGTH_DELIMITED), ...encodeVarint(payload.length)]);
  return concatBytes([header, payload]);
}

const stringField = (fieldNo: number, s: string): Uint8Array => lengthDelimited(fieldNo, utf8Encoder.encode(s));

// ---- ONNX messages ----------------------------------------------------------------------------

const MODEL_GRAPH = 7;
const GRAPH_NODE = 1;
const GRAPH_INITIALIZER = 5;
const GRAPH_INPUT = 11;
const GRAPH_OUTPUT = 12;
const NODE_INPUT = 1;
const NODE_OUTPUT = 2;
const NODE_NAME = 3;
const NODE_OP_TYPE = 4;
const NODE_ATTRIBUTE = 5;
const NODE_DOMAIN = 7;
const ATTR_NAME = 1;
const ATTR_FLOAT = 2;
const ATTR_INT = 3;
const ATTR_TENSOR = 5;
const ATTR_GRAPH = 6;
const ATTR_INTS = 8;
const ATTR_GRAPHS = 11;
const ATTR_TYPE = 20;
const ATTR_TYPE_FLOAT = 1;
const ATTR_TYPE_TENSOR = 4;
const ATTR_TYPE_INT = 2;
const TENSOR_DIMS = 1;
const TENSOR_DATA_TYPE = 2;
const TENSOR_FLOAT_DATA = 4;
const TENSOR_NAME = 8;
const TENSOR_RAW_DATA = 9;
const TENSOR_DATA_LOCATION = 14;
const DATA_TYPE_FLOAT = 1;
const VALUE_INFO_NAME = 1;

/** An ONNX NodeProto. Attributes and the fields we do not interpret are kept as raw bytes. */
export interface OnnxNode {
  input: string[];
  output: string[];
  name: string;
  opType: string;
  domain: string;
  /** each a whole `attribute` field, tag included */
  attributes: Uint8Array[];
  /** doc_string and any other field, whole, copied through */
  otherFields: Uint8Array[];
}

export interface OnnxAttribute {
  name: string;
  float?: number;
  int?: number;
  ints: number[];
  /** a subgraph (If/Loop/Scan bodies): values it uses are invisible to a top-level scan */
  hasGraph: boolean;
}

function parseNode(buf: Uint8Array, f: Field): OnnxNode {
  const node: OnnxNode = { input: [], output: [], name: '', opType: '', domain: '', attributes: [], otherFields: [] };
  for (const g of readFields(buf, f.dataStart, f.dataEnd)) {
    if (g.fieldNo === NODE_INPUT) node.input.push(fieldText(buf, g));
    else if (g.fieldNo === NODE_OUTPUT) node.output.push(fieldText(buf, g));
    else if (g.fieldNo === NODE_NAME) node.name = fieldText(buf, g);
    else if (g.fieldNo === NODE_OP_TYPE) node.opType = fieldText(buf, g);
    else if (g.fieldNo === NODE_DOMAIN) node.domain = fieldText(buf, g);
    else if (g.fieldNo === NODE_ATTRIBUTE) node.attributes.push(buf.subarray(g.start, g.end));
    else node.otherFields.push(buf.subarray(g.start, g.end));
  }
  return node;
}

/** The node as a whole GraphProto `node` field. */
export function encodeNode(node: OnnxNode): Uint8Array {
  return lengthDelimited(GRAPH_NODE, concatBytes([
    ...node.input.map((s) => stringField(NODE_INPUT, s)),
    ...node.output.map((s) => stringField(NODE_OUTPUT, s)),
    stringField(NODE_NAME, node.name),
    stringField(NODE_OP_TYPE, node.opType),
    ...(node.domain ? [stringField(NODE_DOMAIN, node.domain)] : []),
    ...node.attributes,
    ...node.otherFields,
  ]));
}

/** A float attribute as a whole NodeProto `attribute` field. */
export function floatAttribute(name: string, value: number): Uint8Array {
  const bits = new Uint8Array(4);
  new DataView(bits.buffer).setFloat32(0, value, true);
  return lengthDelimited(NODE_ATTRIBUTE, concatBytes([
    stringField(ATTR_NAME, name),
    Uint8Array.of((ATTR_FLOAT << 3) | WIRE_FIXED32), bits,
    Uint8Array.from([...encodeVarint((ATTR_TYPE << 3) | WIRE_VARINT), ATTR_TYPE_FLOAT]),
  ]));
}

/** An int attribute as a whole NodeProto `attribute` field. */
export function intAttribute(name: string, value: number): Uint8Array {
  return lengthDelimited(NODE_ATTRIBUTE, concatBytes([
    stringField(ATTR_NAME, name),
    Uint8Array.from([...encodeVarint((ATTR_INT << 3) | WIRE_VARINT), ...encodeVarint(value)]),
    Uint8Array.from([...encodeVarint((ATTR_TYPE << 3) | WIRE_VARINT), ATTR_TYPE_INT]),
  ]));
}

/** A float32 tensor attribute (e.g. a Constant node's `value`) as a whole `attribute` field. */
export function tensorAttribute(name: string, dims: readonly number[], values: Float32Array): Uint8Array {
  const tensor = concatBytes([
    ...dims.map((d) => Uint8Array.from([...encodeVarint((TENSOR_DIMS << 3) | WIRE_VARINT), ...encodeVarint(d)])),
    Uint8Array.from([...encodeVarint((TENSOR_DATA_TYPE << 3) | WIRE_VARINT), DATA_TYPE_FLOAT]),
    lengthDelimited(TENSOR_RAW_DATA, new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength))),
  ]);
  return lengthDelimited(NODE_ATTRIBUTE, concatBytes([
    stringField(ATTR_NAME, name),
    lengthDelimited(ATTR_TENSOR, tensor),
    Uint8Array.from([...encodeVarint((ATTR_TYPE << 3) | WIRE_VARINT), ATTR_TYPE_TENSOR]),
  ]));
}

/** Decodes the few attribute kinds the passes look at (floats, ints, int lists, subgraph presence). */
export function parseAttribute(raw: Uint8Array): OnnxAttribute {
  const attr: OnnxAttribute = { name: '', ints: [], hasGraph: false };
  const outer = readFields(raw).next().value;
  if (!outer) return attr;
  for (const h of readFields(raw, outer.dataStart, outer.dataEnd)) {
    if (h.fieldNo === ATTR_NAME) attr.name = fieldText(raw, h);
    else if (h.fieldNo === ATTR_FLOAT && h.wireType === WIRE_FIXED32) {
      attr.float = new DataView(raw.buffer, raw.byteOffset + h.dataStart, 4).getFloat32(0, true);
    } else if (h.fieldNo === ATTR_INT && h.wireType === WIRE_VARINT) attr.int = asInt64(h.varint!);
    else if (h.fieldNo === ATTR_INTS && h.wireType === WIRE_VARINT) attr.ints.push(asInt64(h.varint!));
    else if (h.fieldNo === ATTR_INTS && h.wireType === WIRE_LENGTH_DELIMITED) {
      // packed repeated int64
      const packed = raw.subarray(h.dataStart, h.dataEnd);
      for (const v of readPackedVarints(packed)) attr.ints.push(asInt64(v));
    } else if (h.fieldNo === ATTR_GRAPH || h.fieldNo === ATTR_GRAPHS) attr.hasGraph = true;
  }
  return attr;
}

function* readPackedVarints(bytes: Uint8Array): Generator<number> {
  let p = 0;
  while (p < bytes.length) {
    cursor = p;
    const value = readVarint(bytes, bytes.length);
    p = cursor;
    yield value;
  }
}

/** A varint read as an int64: values of 2^63 and above are the two's complement negatives. */
const asInt64 = (v: number): number => (v >= 2 ** 63 ? v - 2 ** 64 : v);

/** Where a float32 tensor's values sit in the model bytes (raw_data or packed float_data). */
interface FloatTensorLocation {
  dataStart: number;
  dataEnd: number;
  dims: number[];
}

/**
 * An editable view of a model's top-level graph. Float tensors (initializers and Constant node
 * values) are changed in place in `bytes` (a private copy); `emit` then writes the model again
 * with nodes dropped or replaced, every other field copied through byte for byte.
 */
export class OnnxGraphView {
  readonly nodes: OnnxNode[] = [];
  /** producer of each value */
  readonly producer = new Map<string, OnnxNode>();
  /** consumers of each value (a node using a value twice counts twice) */
  readonly consumers = new Map<string, OnnxNode[]>();
  /** names of graph outputs: they are used by the caller even with no consumer node */
  readonly graphOutputs = new Set<string>();
  /** true when some node carries a subgraph, whose uses of outer values we cannot see */
  readonly hasSubgraphs: boolean = false;
  private readonly modelFields: Field[];
  private readonly graphField: Field;
  private readonly nodeFieldStarts: number[] = [];
  private readonly floatTensors = new Map<string, FloatTensorLocation>();

  constructor(private readonly bytes: Uint8Array) {
    this.modelFields = [...readFields(bytes)];
    const graph = this.modelFields.find((f) => f.fieldNo === MODEL_GRAPH && f.wireType === WIRE_LENGTH_DELIMITED);
    if (!graph) throw new Error('no graph in model');
    this.graphField = graph;
    const graphInputs = new Set<string>();
    for (const f of readFields(bytes, graph.dataStart, graph.dataEnd)) {
      if (f.wireType !== WIRE_LENGTH_DELIMITED) continue;
      if (f.fieldNo === GRAPH_NODE) {
        const node = parseNode(bytes, f);
        this.nodes.push(node);
        this.nodeFieldStarts.push(f.start);
        for (const raw of node.attributes) {
          if (parseAttribute(raw).hasGraph) this.hasSubgraphs = true;
        }
        if (node.opType === 'Constant' && node.domain === '' && node.output.length === 1) this.locateConstant(f, node.output[0]!);
      } else if (f.fieldNo === GRAPH_INITIALIZER) {
        const located = this.locateFloatTensor(f.dataStart, f.dataEnd);
        if (located) this.floatTensors.set(located.name, located.location);
      } else if (f.fieldNo === GRAPH_INPUT || f.fieldNo === GRAPH_OUTPUT) {
        let name = '';
        for (const h of readFields(bytes, f.dataStart, f.dataEnd)) if (h.fieldNo === VALUE_INFO_NAME) name = fieldText(bytes, h);
        (f.fieldNo === GRAPH_INPUT ? graphInputs : this.graphOutputs).add(name);
      }
    }
    // An initializer also listed as a graph input (IR < 4 style) is only a default the caller may
    // override at run time: never fold it.
    for (const name of graphInputs) this.floatTensors.delete(name);
    for (const node of this.nodes) {
      for (const out of node.output) this.producer.set(out, node);
      for (const input of node.input) {
        const list = this.consumers.get(input);
        if (list) list.push(node);
        else this.consumers.set(input, [node]);
      }
    }
  }

  private locateConstant(nodeField: Field, output: string): void {
    for (const a of readFields(this.bytes, nodeField.dataStart, nodeField.dataEnd)) {
      if (a.fieldNo !== NODE_ATTRIBUTE) continue;
      for (const h of readFields(this.bytes, a.dataStart, a.dataEnd)) {
        if (h.fieldNo !== ATTR_TENSOR || h.wireType !== WIRE_LENGTH_DELIMITED) continue;
        const located = this.locateFloatTensor(h.dataStart, h.dataEnd);
        if (located) this.floatTensors.set(output, located.location);
      }
    }
  }

  /** A TensorProto holding float32 data inside the model (not external data). */
  private locateFloatTensor(start: number, end: number): { name: string; location: FloatTensorLocation } | undefined {
    let dataType = 0;
    let name = '';
    let external = false;
    let payload: Field | undefined;
    const dims: number[] = [];
    for (const h of readFields(this.bytes, start, end)) {
      if (h.fieldNo === TENSOR_DIMS && h.wireType === WIRE_VARINT) dims.push(Number(h.varint));
      else if (h.fieldNo === TENSOR_DIMS && h.wireType === WIRE_LENGTH_DELIMITED) {
        for (const v of readPackedVarints(this.bytes.subarray(h.dataStart, h.dataEnd))) dims.push(Number(v));
      } else if (h.fieldNo === TENSOR_DATA_TYPE) dataType = Number(h.varint);
      else if (h.fieldNo === TENSOR_NAME) name = fieldText(this.bytes, h);
      else if (h.fieldNo === TENSOR_DATA_LOCATION) external = Number(h.varint) === 1;
      else if (h.fieldNo === TENSOR_RAW_DATA || (h.fieldNo === TENSOR_FLOAT_DATA && h.wireType === WIRE_LENGTH_DELIMITED)) payload = h;
    }
    if (dataType !== DATA_TYPE_FLOAT || external || !payload) return undefined;
    const count = dims.reduce((a, b) => a * b, 1);
    if (payload.dataEnd - payload.dataStart !== count * 4) return undefined;
    return { name, location: { dataStart: payload.dataStart, dataEnd: payload.dataEnd, dims } };
  }

  /** How many node inputs and graph outputs use the value. */
  uses(name: string): number {
    return (this.consumers.get(name)?.length ?? 0) + (this.graphOutputs.has(name) ? 1 : 0);
  }

  /** A copy of a float tensor's values, or undefined when the value is not a known float constant. */
  floatTensor(name: string | undefined): Float32Array | undefined {
    const loc = name === undefined ? undefined : this.floatTensors.get(name);
    return loc && new Float32Array(this.bytes.slice(loc.dataStart, loc.dataEnd).buffer);
  }

  tensorDims(name: string): number[] | undefined {
    return this.floatTensors.get(name)?.dims;
  }

  /** Overwrites a float constant's values in place (same element count). */
  setFloatTensor(name: string, values: Float32Array): void {
    const loc = this.floatTensors.get(name);
    if (!loc || values.byteLength !== loc.dataEnd - loc.dataStart) throw new Error(`cannot overwrite tensor ${name}`);
    this.bytes.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), loc.dataStart);
  }

  /** The model again, with `drop` nodes left out and `replace` nodes written in their place (a
   *  list: several nodes, in that order, where the one was). */
  emit(drop: ReadonlySet<OnnxNode>, replace: ReadonlyMap<OnnxNode, OnnxNode | readonly OnnxNode[]>): Uint8Array {
    const { bytes, graphField } = this;
    const nodeAt = new Map(this.nodeFieldStarts.map((start, i) => [start, this.nodes[i]!] as const));
    const parts: Uint8Array[] = [];
    for (const f of readFields(bytes, graphField.dataStart, graphField.dataEnd)) {
      const node = f.fieldNo === GRAPH_NODE && f.wireType === WIRE_LENGTH_DELIMITED ? nodeAt.get(f.start) : undefined;
      if (!node) {
        parts.push(bytes.subarray(f.start, f.end));
        continue;
      }
      if (drop.has(node)) continue;
      const replacement = replace.get(node);
      if (!replacement) parts.push(bytes.subarray(f.start, f.end));
      else for (const r of Array.isArray(replacement) ? replacement : [replacement]) parts.push(encodeNode(r as OnnxNode));
    }
    // one copy of the whole model: the fields before the graph, a new graph header, the graph's
    // parts, the fields after it
    const graphLength = parts.reduce((n, part) => n + part.length, 0);
    const out: Uint8Array[] = [];
    for (const f of this.modelFields) {
      if (f !== graphField) out.push(bytes.subarray(f.start, f.end));
      else out.push(Uint8Array.from([...encodeVarint((MODEL_GRAPH << 3) | WIRE_LENGTH_DELIMITED), ...encodeVarint(graphLength)]), ...parts);
    }
    return concatBytes(out);
  }
}
