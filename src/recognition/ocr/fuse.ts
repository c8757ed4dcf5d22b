// Exact graph clean-up for the paddle2onnx PP-OCRv4 det and rec models (PP-LCNetV3 backbones),
// applied to the ONNX bytes before onnxruntime loads them. Three patterns, each rewritten into
// fewer nodes computing the same function (equal up to float32 rounding: max |diff| ~2e-6 on the
// rec logits, see test/recognition/fuse.test.ts):
//
//  1. hardswish, exported op by op:   Add(x, 3) -> Clip(0, 6) -> Mul(x, ·) -> Div(·, 6)
//     becomes                          Mul(x, HardSigmoid(x; alpha 1/6, beta 1/2))
//     clip(x+3, 0, 6)/6 = clip(x/6 + 1/2, 0, 1) is HardSigmoid by definition. Four elementwise
//     passes over the activation become two. ORT has no fusion for the Add/Clip/Mul/Div spelling
//     (these graphs are opset 9 and 11, before HardSwish arrived in 14, so paddle2onnx spelled it
//     out; HardSigmoid exists since opset 6).
//
//  2. "learnable affine" after a Conv:  Conv(x, W, B) -> Mul(·, s) -> Add(·, b)   (s, b scalars)
//     becomes                            Conv(x, W·s, B·s + b)
//     (Wx + B)s + b = (sW)x + (sB + b) for every output pixel, padded or not.
//
//  3. "learnable affine" before a Conv: Mul(x, s) -> Add(·, b) -> Conv(·, W, B)
//     becomes, for a Conv without padding,  Conv(x, W·s, B + b·ΣW)
//       each output sums W·(s·x + b) over its window = (sW)·x + b·ΣW (sum over that output
//       channel's kernel, which holds for grouped Convs too);
//     and for a padded Conv                 Add(x, b/s) -> Conv(·, W·s, B)
//       the padding zeros enter after the affine, so b cannot move into the bias (border pixels
//       would see it where the original saw 0); but W·(s·x + b) = (sW)·(x + b/s) and a padded 0
//       stays 0 either way, so only the Mul goes.
//
//  4. an Add of a scalar left in front of a Conv (by 3, or by the exporter)
//     becomes                            BatchNormalization(x; scale 1, bias b, mean 0, var 1, eps 0)
//     which is x + b exactly, and which ORT turns into a 1x1 depthwise Conv in its blocked
//     (NCHWc) layout; the Add it could not, so it converted the activation out of that layout and
//     back around every such Add.
//
// ORT's own optimizer does not do 2 or 3: its ConvMulFusion / ConvAddFusion take a rank-0 scalar
// or a per-channel (C×1×1, 1×C×1×1) initializer, but paddle2onnx gives these scalars shape [1],
// which they reject; and ORT has no rule moving an affine into the following Conv.
//
// Measured (bench/ocr-fuse.ts, one thread, median CPU per run, quiet machine): det 416×640
// 138 → 76 ms, rec 48×320 42 → 27 ms, cls 2.6 → 1.6 ms (min); patterns 4-6 alone took det
// 480×640 from 112 to 87 ms and rec 48×480 from 40 to 37 ms. The rewrite itself: 0.3–0.6 s CPU
// per model, once per cache folder (graph-cache.ts), in a thread of its own when a pool starts.
//
// Anything not exactly matching (shared weights, values also used elsewhere or as graph outputs,
// non-float constants, subgraphs, a model we cannot parse) is left alone; the function never
// throws and returns its input when nothing was rewritten.

import { OnnxGraphView, floatAttribute, intAttribute, parseAttribute, tensorAttribute, type OnnxNode } from './onnx-bytes.ts';

export interface FuseCounts {
  /** Add/Clip/Mul/Div hardswish chains turned into HardSigmoid + Mul */
  hardswish: number;
  /** Conv -> Mul -> Add folded into the Conv */
  convAffine: number;
  /** Mul -> Add -> Conv folded into the Conv (the Add kept for padded Convs) */
  affineConv: number;
  /** Add of a scalar before a Conv spelled as a BatchNormalization, which ORT keeps in NCHWc */
  scalarAdd: number;
  /** 2x2 stride-2 ConvTranspose (+ bias, BatchNormalization) as a 1x1 Conv + DepthToSpace */
  pixelShuffle: number;
  /** x + x·s as x·(1 + s) */
  residualScale: number;
}

export interface FuseResult {
  model: Uint8Array;
  fused: FuseCounts;
}

/** Rewrites the patterns above; returns `model` itself (unchanged) when none is found or the
 *  bytes cannot be read as an ONNX model. */
export function fusePaddleOcrGraph(model: Uint8Array): FuseResult {
  const none: FuseCounts = { hardswish: 0, convAffine: 0, affineConv: 0, scalarAdd: 0, pixelShuffle: 0, residualScale: 0 };
  const passes: [keyof FuseCounts, (view: OnnxGraphView, rewrite: GraphRewrite) => number][] = [
    ['hardswish', fuseHardSwish],
    ['convAffine', fuseAffineAfterConv],
    ['affineConv', fuseAffineBeforeConv],
    ['scalarAdd', scalarAddAsBatchNorm],
    ['pixelShuffle', convTransposeAsPixelShuffle],
    ['residualScale', residualScaleAsOneMul],
  ];
  try {
    // private copy: passes write the folded weights in place
    let bytes: Uint8Array = model.slice();
    const fused = { ...none };
    for (const [key, pass] of passes) {
      const view = new OnnxGraphView(bytes);
      // a subgraph may read values of the outer graph: our use counts would be wrong
      if (view.hasSubgraphs) return { model, fused: none };
      const rewrite = new GraphRewrite(view);
      fused[key] = pass(view, rewrite);
      if (fused[key] > 0) bytes = view.emit(rewrite.drop, rewrite.replace);
    }
    if (Object.values(fused).every((n) => n === 0)) return { model, fused };
    return { model: bytes, fused };
  } catch {
    return { model, fused: none };
  }
}

/** The edits one pass collects; applied by OnnxGraphView.emit. */
class GraphRewrite {
  readonly drop = new Set<OnnxNode>();
  readonly replace = new Map<OnnxNode, OnnxNode | OnnxNode[]>();
  constructor(private readonly view: OnnxGraphView) {}
  /** A node already dropped or replaced by an earlier match of the same pass is off limits. */
  touched(...nodes: OnnxNode[]): boolean {
    return nodes.some((n) => this.drop.has(n) || this.replace.has(n));
  }
  /** Whether the node is one of the standard (default domain) ops. */
  isOp(node: OnnxNode | undefined, opType: string): node is OnnxNode {
    return node !== undefined && node.opType === opType && (node.domain === '' || node.domain === 'ai.onnx');
  }
  /** The single consumer of a value, when it has exactly one use and is not a graph output. */
  soleConsumer(value: string): OnnxNode | undefined {
    return this.view.uses(value) === 1 ? this.view.consumers.get(value)?.[0] : undefined;
  }
}

/** A binary elementwise node with one operand a one-element float constant. */
interface ScalarOperand {
  /** the non-constant operand */
  data: string;
  value: number;
  /** the constant operand's name */
  constant: string;
}

/**
 * Finds the scalar operand of a binary node: a one-element float constant of rank 0 or 1. (A
 * [1,1,1,1] constant would broadcast a lower-rank operand up to rank 4, so removing the node could
 * change a shape: not matched. The PP-OCR models only have shapes [] and [1].)
 */
function scalarOperand(view: OnnxGraphView, node: OnnxNode, constantIndex?: 0 | 1): ScalarOperand | undefined {
  if (node.input.length !== 2) return undefined;
  for (const k of constantIndex === undefined ? ([1, 0] as const) : [constantIndex]) {
    const constant = node.input[k]!;
    const data = node.input[1 - k]!;
    const values = view.floatTensor(constant);
    const dims = view.tensorDims(constant);
    if (!values || values.length !== 1 || !dims || dims.length > 1) continue;
    if (view.floatTensor(data)) continue; // both constant: not an activation
    return { data, value: values[0]!, constant };
  }
  return undefined;
}

/** Clip's bounds: attributes before opset 11, optional inputs 1 and 2 since. */
function clipBounds(view: OnnxGraphView, clip: OnnxNode): { min?: number; max?: number } {
  const attrs = clip.attributes.map(parseAttribute);
  const scalar = (name: string | undefined): number | undefined => {
    const t = name ? view.floatTensor(name) : undefined;
    return t && t.length === 1 ? t[0] : undefined;
  };
  return {
    min: attrs.find((a) => a.name === 'min')?.float ?? scalar(clip.input[1]),
    max: attrs.find((a) => a.name === 'max')?.float ?? scalar(clip.input[2]),
  };
}

/** Pattern 1: Add(x, 3) -> Clip(0, 6) -> Mul(x, ·) -> Div(·, 6)  ==>  Mul(x, HardSigmoid(x)). */
function fuseHardSwish(view: OnnxGraphView, rewrite: GraphRewrite): number {
  let count = 0;
  for (const div of view.nodes) {
    if (!rewrite.isOp(div, 'Div') || scalarOperand(view, div, 1)?.value !== 6) continue;
    const mul = view.producer.get(div.input[0]!);
    if (!rewrite.isOp(mul, 'Mul') || mul.input.length !== 2) continue;
    const clipIndex = rewrite.isOp(view.producer.get(mul.input[1]!), 'Clip') ? 1 : 0;
    const clipOut = mul.input[clipIndex]!;
    const x = mul.input[1 - clipIndex]!;
    const clip = view.producer.get(clipOut);
    if (!rewrite.isOp(clip, 'Clip')) continue;
    const { min, max } = clipBounds(view, clip);
    if (min !== 0 || max !== 6) continue;
    const add = view.producer.get(clip.input[0]!);
    if (!rewrite.isOp(add, 'Add')) continue;
    const three = scalarOperand(view, add);
    if (three?.value !== 3 || three.data !== x) continue;
    // the intermediates must feed nothing else, since they disappear
    if (view.uses(add.output[0]!) !== 1 || view.uses(clipOut) !== 1 || view.uses(mul.output[0]!) !== 1) continue;
    if (rewrite.touched(add, clip, mul, div)) continue;
    rewrite.drop.add(add);
    rewrite.drop.add(clip);
    // written where the Mul was (after x and before the Div), reusing the Clip's output name
    rewrite.replace.set(mul, {
      input: [x], output: [clipOut], name: `${clip.name}_hardsigmoid`, opType: 'HardSigmoid', domain: '',
      attributes: [floatAttribute('alpha', 1 / 6), floatAttribute('beta', 0.5)], otherFields: [],
    });
    rewrite.replace.set(div, {
      input: [x, clipOut], output: [div.output[0]!], name: `${div.name}_hardswish`, opType: 'Mul', domain: '',
      attributes: [], otherFields: [],
    });
    count++;
  }
  return count;
}

/** A Conv with a bias whose weight and bias are float constants used by it alone (checked on
 *  names first: copying every Conv's weights before knowing it matches is the slow part). */
function isFoldableConv(view: OnnxGraphView, rewrite: GraphRewrite, conv: OnnxNode): boolean {
  if (!rewrite.isOp(conv, 'Conv') || conv.input.length !== 3 || conv.output.length !== 1) return false;
  const [, w, b] = conv.input as [string, string, string];
  return w !== b && view.uses(w) === 1 && view.uses(b) === 1 && (view.tensorDims(w)?.length ?? 0) >= 3 && view.tensorDims(b) !== undefined;
}

/** The matched Conv's weight and bias values (copies), when their sizes are consistent. */
function convParams(view: OnnxGraphView, conv: OnnxNode): { weight: Float32Array; bias: Float32Array } | undefined {
  const weight = view.floatTensor(conv.input[1]);
  const bias = view.floatTensor(conv.input[2]);
  if (!weight || !bias || bias.length === 0 || weight.length % bias.length !== 0) return undefined;
  return { weight, bias };
}

/** Pattern 2: Conv(x, W, B) -> Mul(·, s) -> Add(·, b)  ==>  Conv(x, W·s, B·s + b). */
function fuseAffineAfterConv(view: OnnxGraphView, rewrite: GraphRewrite): number {
  let count = 0;
  for (const conv of view.nodes) {
    if (!isFoldableConv(view, rewrite, conv)) continue;
    const mul = rewrite.soleConsumer(conv.output[0]!);
    if (!rewrite.isOp(mul, 'Mul')) continue;
    const scale = scalarOperand(view, mul);
    if (!scale || scale.data !== conv.output[0]) continue;
    const add = rewrite.soleConsumer(mul.output[0]!);
    if (!rewrite.isOp(add, 'Add')) continue;
    const shift = scalarOperand(view, add);
    if (!shift || shift.data !== mul.output[0]) continue;
    if (rewrite.touched(conv, mul, add)) continue;
    const params = convParams(view, conv);
    if (!params) continue;
    const { weight, bias } = params;
    const s = scale.value;
    for (let i = 0; i < weight.length; i++) weight[i] = weight[i]! * s;
    for (let i = 0; i < bias.length; i++) bias[i] = bias[i]! * s + shift.value;
    view.setFloatTensor(conv.input[1]!, weight);
    view.setFloatTensor(conv.input[2]!, bias);
    rewrite.drop.add(mul);
    rewrite.drop.add(add);
    // the Conv now produces what the Add produced
    rewrite.replace.set(conv, { ...conv, output: [add.output[0]!] });
    count++;
  }
  return count;
}

/** Whether the Conv pads its input (explicit pads or any auto_pad other than NOTSET). */
function convPads(conv: OnnxNode): boolean {
  for (const attr of conv.attributes.map(parseAttribute)) {
    if (attr.name === 'pads' && attr.ints.some((p) => p !== 0)) return true;
    // auto_pad is a string attribute: treat any presence as padding (VALID would be exact too,
    // but keeping the Add is exact in every case)
    if (attr.name === 'auto_pad') return true;
  }
  return false;
}

/** Pattern 3: Mul(x, s) -> Add(·, b) -> Conv(·, W, B)  ==>  Conv(x, W·s, B + b·ΣW), or
 *  Add(x, b/s) -> Conv(·, W·s, B) when the Conv pads. */
function fuseAffineBeforeConv(view: OnnxGraphView, rewrite: GraphRewrite): number {
  let count = 0;
  for (const conv of view.nodes) {
    if (!isFoldableConv(view, rewrite, conv)) continue;
    const add = view.producer.get(conv.input[0]!);
    if (!rewrite.isOp(add, 'Add') || rewrite.soleConsumer(add.output[0]!) !== conv) continue;
    const shift = scalarOperand(view, add);
    if (!shift) continue;
    const mul = view.producer.get(shift.data);
    if (!rewrite.isOp(mul, 'Mul') || rewrite.soleConsumer(mul.output[0]!) !== add) continue;
    const scale = scalarOperand(view, mul);
    if (!scale || scale.value === 0 || !Number.isFinite(1 / scale.value)) continue;
    const padded = convPads(conv);
    // the padded form rewrites the Add's constant in place: it must be the Add's alone
    if (padded && view.uses(shift.constant) !== 1) continue;
    if (rewrite.touched(conv, mul, add)) continue;
    const params = convParams(view, conv);
    if (!params) continue;
    const { weight, bias } = params;
    const perOutput = weight.length / bias.length;
    const s = scale.value;
    const b = shift.value;
    if (!padded) {
      for (let o = 0; o < bias.length; o++) {
        let sum = 0;
        for (let k = 0; k < perOutput; k++) sum += weight[o * perOutput + k]!;
        bias[o] = bias[o]! + b * sum;
      }
    }
    for (let i = 0; i < weight.length; i++) weight[i] = weight[i]! * s;
    view.setFloatTensor(conv.input[1]!, weight);
    view.setFloatTensor(conv.input[2]!, bias);
    rewrite.drop.add(mul);
    if (!padded) {
      rewrite.drop.add(add);
      rewrite.replace.set(conv, { ...conv, input: [scale.data, conv.input[1]!, conv.input[2]!] });
    } else {
      view.setFloatTensor(shift.constant, Float32Array.of(b / s));
      rewrite.replace.set(add, { ...add, input: [scale.data, shift.constant] });
    }
    count++;
  }
  return count;
}

/** The input channels a Conv expects (weight dims[1] x group), when its weight is a known constant. */
function convInputChannels(view: OnnxGraphView, conv: OnnxNode): number | undefined {
  const dims = view.tensorDims(conv.input[1] ?? '');
  if (!dims || dims.length < 3) return undefined;
  const group = conv.attributes.map(parseAttribute).find((a) => a.name === 'group')?.int ?? 1;
  return dims[1]! * group;
}

/** A Constant node holding a float tensor. */
const constantNode = (name: string, dims: readonly number[], values: Float32Array): OnnxNode => ({
  input: [], output: [name], name, opType: 'Constant', domain: '', attributes: [tensorAttribute('value', dims, values)], otherFields: [],
});

/**
 * Pattern 4: Add(x, b) with b a scalar, feeding Convs  ==>  BatchNormalization(x; scale 1,
 * bias b, mean 0, var 1, epsilon 0), which computes x·1/sqrt(1 + 0) + (b − 0·1) = x + b exactly.
 * These are the Adds pattern 3 must keep before a padded Conv. ORT runs the convolutions in its
 * blocked NCHWc layout, but has no NCHWc form of an Add with a broadcast scalar, so each such Add
 * costs two layout conversions of the whole activation besides its own pass — over a quarter of
 * the recogniser's time (bench/ocr-fuse.ts). A BatchNormalization it rewrites as an NCHWc 1x1
 * depthwise Conv, so the activation stays in the blocked layout. The channel count comes from
 * the consuming Convs' weights.
 */
function scalarAddAsBatchNorm(view: OnnxGraphView, rewrite: GraphRewrite): number {
  let count = 0;
  // the C-vectors of ones and zeros, one of each per channel count, written with the first
  // rewrite that uses them
  const shared = new Map<string, OnnxNode>();
  const filled = (fill: number, channels: number, written: OnnxNode[]): OnnxNode => {
    const name = `p2o_fuse_fill_${fill}_${channels}`;
    let node = shared.get(name);
    if (!node) {
      node = constantNode(name, [channels], new Float32Array(channels).fill(fill));
      shared.set(name, node);
      written.push(node);
    }
    return node;
  };
  for (const add of view.nodes) {
    if (!rewrite.isOp(add, 'Add') || add.output.length !== 1) continue;
    const shift = scalarOperand(view, add);
    if (!shift || !view.producer.has(shift.data) || rewrite.touched(add)) continue;
    const consumers = view.consumers.get(add.output[0]!) ?? [];
    if (!consumers.length || view.graphOutputs.has(add.output[0]!)) continue;
    // every consumer a Conv reading it as its data input, all agreeing on the channel count
    const channels = new Set(consumers.map((c) => (rewrite.isOp(c, 'Conv') && c.input[0] === add.output[0] ? convInputChannels(view, c) : undefined)));
    const [c] = channels;
    if (channels.size !== 1 || c === undefined || c < 1) continue;
    const nodes: OnnxNode[] = [];
    const ones = filled(1, c, nodes), zeros = filled(0, c, nodes);
    const bias = constantNode(`${add.name}_bn_bias`, [c], new Float32Array(c).fill(shift.value));
    rewrite.replace.set(add, [...nodes, bias, {
      input: [shift.data, ones.output[0]!, bias.output[0]!, zeros.output[0]!, ones.output[0]!],
      output: [add.output[0]!], name: `${add.name}_bn`, opType: 'BatchNormalization', domain: '',
      attributes: [floatAttribute('epsilon', 0)], otherFields: [],
    }]);
    count++;
  }
  return count;
}

/** A per-channel constant (shape [C], [1,C,1,1] or one value for all) as C values, else undefined. */
function perChannel(view: OnnxGraphView, name: string | undefined, channels: number): Float32Array | undefined {
  const values = view.floatTensor(name);
  const dims = name === undefined ? undefined : view.tensorDims(name);
  if (!values || !dims) return undefined;
  if (values.length === 1 && dims.length <= 1) return new Float32Array(channels).fill(values[0]!);
  if (values.length !== channels) return undefined;
  const ok = dims.length === 1 || (dims.length === 4 && dims[0] === 1 && dims[1] === channels && dims[2] === 1 && dims[3] === 1);
  return ok ? values : undefined;
}

/** A 2x2 stride-2 ConvTranspose with the per-channel steps after it, read for pattern 5. */
interface UpsampleChain {
  convT: OnnxNode;
  cin: number;
  cout: number;
  /** the ConvTranspose weights [Cin, Cout, 2, 2] */
  weight: Float32Array;
  /** per output channel: y = scale·(ConvT without bias) + bias, before the activation */
  scale: Float32Array;
  bias: Float32Array;
  activation?: OnnxNode;
  /** the nodes after the ConvTranspose that the chain replaces */
  absorbed: OnnxNode[];
  /** the value the chain's last node produces */
  out: string;
}

function readUpsampleChain(view: OnnxGraphView, rewrite: GraphRewrite, convT: OnnxNode | undefined): UpsampleChain | undefined {
  if (!rewrite.isOp(convT, 'ConvTranspose') || convT.output.length !== 1 || convT.input.length < 2 || convT.input.length > 3) return undefined;
  const weight = view.floatTensor(convT.input[1]);
  const dims = view.tensorDims(convT.input[1] ?? '');
  if (!weight || !dims || dims.length !== 4 || dims[2] !== 2 || dims[3] !== 2) return undefined;
  const [cin, cout] = dims as [number, number, number, number];
  const attrs = convT.attributes.map(parseAttribute);
  const plain = attrs.every((a) =>
    (a.name === 'kernel_shape' && a.ints.join() === '2,2') ||
    (a.name === 'strides' && a.ints.join() === '2,2') ||
    (a.name === 'dilations' && a.ints.every((d) => d === 1)) ||
    (a.name === 'pads' && a.ints.every((d) => d === 0)) ||
    (a.name === 'output_padding' && a.ints.every((d) => d === 0)) ||
    (a.name === 'group' && (a.int ?? 1) === 1));
  if (!plain || !attrs.some((a) => a.name === 'strides')) return undefined;
  const bias = new Float32Array(cout);
  if (convT.input.length === 3) {
    const b = perChannel(view, convT.input[2], cout);
    if (!b) return undefined;
    bias.set(b);
  }
  const scale = new Float32Array(cout).fill(1);
  const absorbed: OnnxNode[] = [];
  let out = convT.output[0]!;
  // the per-channel steps that follow, each the sole reader of the previous value
  let next = rewrite.soleConsumer(out);
  if (rewrite.isOp(next, 'Add') && next.input.includes(out)) {
    const b = perChannel(view, next.input.find((i) => i !== out), cout);
    if (b) {
      for (let o = 0; o < cout; o++) bias[o] = bias[o]! + b[o]!;
      absorbed.push(next);
      out = next.output[0]!;
      next = rewrite.soleConsumer(out);
    }
  }
  if (rewrite.isOp(next, 'BatchNormalization') && next.input[0] === out && next.output.length === 1) {
    const bn = next;
    const eps = bn.attributes.map(parseAttribute).find((a) => a.name === 'epsilon')?.float ?? 1e-5;
    const [gamma, beta, mean, variance] = [1, 2, 3, 4].map((k) => perChannel(view, bn.input[k], cout));
    if (gamma && beta && mean && variance) {
      for (let o = 0; o < cout; o++) {
        const a = gamma[o]! / Math.sqrt(variance[o]! + eps);
        scale[o] = a;
        bias[o] = (bias[o]! - mean[o]!) * a + beta[o]!;
      }
      absorbed.push(bn);
      out = bn.output[0]!;
      next = rewrite.soleConsumer(out);
    }
  }
  const activation = (rewrite.isOp(next, 'Relu') || rewrite.isOp(next, 'Sigmoid')) && next.input[0] === out ? next : undefined;
  if (activation) {
    absorbed.push(activation);
    out = activation.output[0]!;
  }
  if (rewrite.touched(convT, ...absorbed)) return undefined;
  return { convT, cin, cout, weight, scale, bias, activation, absorbed, out };
}

/**
 * Pattern 5: ConvTranspose(x, W[Cin, Cout, 2, 2]; stride 2, no padding) -> [Add per-channel b]
 * -> [BatchNormalization] -> [Relu | Sigmoid]
 * becomes  Conv(x, W'[4·Cout, Cin, 1, 1], B') -> [Relu | Sigmoid] -> DepthToSpace(2).
 * A 2x2 kernel at stride 2 never overlaps itself: output pixel (2y+i, 2x+j) of channel o is
 * Σ_c W[c, o, i, j]·x[c, y, x] — a 1x1 convolution into 4·Cout channels, one block of Cout per
 * sub-pixel (i, j), then laid out by DepthToSpace (DCR order: channel (2i+j)·Cout + o). The bias
 * and the BatchNormalization are per output channel, so they fold into the 1x1 weights, and the
 * activation, being per element, commutes with the rearrangement and runs fused in the Conv.
 * Two such upsamplings in a row (the DB head: 1/4 → 1/2 → full resolution) become one 1x1 Conv
 * each and a single DepthToSpace(4): the second acts on each sub-pixel block of the first
 * separately (a block-diagonal 1x1 Conv), so the half-resolution map is never laid out at all.
 * ORT runs ConvTranspose as a GEMM plus col2im outside its blocked layout, and the bias, BN and
 * Relu each made another pass at full resolution: with the rearrangements this was a quarter of
 * detection's time (bench/ocr-fuse.ts).
 */
function convTransposeAsPixelShuffle(view: OnnxGraphView, rewrite: GraphRewrite): number {
  let count = 0;
  for (const node of view.nodes) {
    const first = readUpsampleChain(view, rewrite, node);
    if (!first) continue;
    const base = `${first.convT.name}_pixels`;
    // 1x1 weights [4·Cout, Cin]: row (2i+j)·Cout + o holds W[·, o, i, j]·scale[o]
    const { cin, cout } = first;
    const w1 = new Float32Array(4 * cout * cin);
    const b1 = new Float32Array(4 * cout);
    for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) for (let o = 0; o < cout; o++) {
      const row = (2 * i + j) * cout + o;
      b1[row] = first.bias[o]!;
      for (let c = 0; c < cin; c++) w1[row * cin + c] = first.weight[((c * cout + o) * 2 + i) * 2 + j]! * first.scale[o]!;
    }
    const nodes: OnnxNode[] = [
      constantNode(`${base}_w`, [4 * cout, cin, 1, 1], w1),
      constantNode(`${base}_b`, [4 * cout], b1),
      { input: [node.input[0]!, `${base}_w`, `${base}_b`], output: [`${base}_conv`], name: `${base}_conv`, opType: 'Conv', domain: '', attributes: [], otherFields: [] },
    ];
    let last = `${base}_conv`;
    const activate = (activation: OnnxNode | undefined, name: string) => {
      if (!activation) return;
      nodes.push({ ...activation, input: [last], output: [name], name });
      last = name;
    };
    activate(first.activation, `${base}_act`);
    const second = readUpsampleChain(view, rewrite, rewrite.soleConsumer(first.out));
    let block = 2, out = first.out;
    if (second && second.cin === cout && second.convT.input[0] === first.out && !second.absorbed.includes(node)) {
      // channel ((2i+i2)·4 + (2j+j2))·Cout2 + o2 reads block (2i+j) of the first Conv's output
      const c2 = second.cout;
      const w2 = new Float32Array(16 * c2 * 4 * cout);
      const b2 = new Float32Array(16 * c2);
      for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) for (let i2 = 0; i2 < 2; i2++) for (let j2 = 0; j2 < 2; j2++) for (let o2 = 0; o2 < c2; o2++) {
        const row = ((2 * i + i2) * 4 + (2 * j + j2)) * c2 + o2;
        b2[row] = second.bias[o2]!;
        for (let o = 0; o < cout; o++) {
          w2[row * 4 * cout + (2 * i + j) * cout + o] = second.weight[((o * c2 + o2) * 2 + i2) * 2 + j2]! * second.scale[o2]!;
        }
      }
      nodes.push(
        constantNode(`${base}_w2`, [16 * c2, 4 * cout, 1, 1], w2),
        constantNode(`${base}_b2`, [16 * c2], b2),
        { input: [last, `${base}_w2`, `${base}_b2`], output: [`${base}_conv2`], name: `${base}_conv2`, opType: 'Conv', domain: '', attributes: [], otherFields: [] },
      );
      last = `${base}_conv2`;
      activate(second.activation, `${base}_act2`);
      block = 4;
      out = second.out;
      rewrite.drop.add(second.convT);
      for (const n of second.absorbed) rewrite.drop.add(n);
    }
    nodes.push({ input: [last], output: [out], name: `${base}_shuffle`, opType: 'DepthToSpace', domain: '', attributes: [intAttribute('blocksize', block)], otherFields: [] });
    // written where the (first) ConvTranspose was: its input is ready there, and what read the
    // last absorbed node's output comes after it
    rewrite.replace.set(node, nodes);
    for (const n of first.absorbed) rewrite.drop.add(n);
    count++;
  }
  return count;
}

/**
 * Pattern 6: Add(x, Mul(x, s))  ==>  Mul(x, Add(s, 1)) — the residual squeeze-and-excitation of
 * the detector's neck (x + x·SE(x)): one pass over the activation instead of two, the +1 taken
 * on the small per-channel s. Equal up to float rounding.
 */
function residualScaleAsOneMul(view: OnnxGraphView, rewrite: GraphRewrite): number {
  let count = 0;
  let one: OnnxNode | undefined;
  for (const add of view.nodes) {
    if (!rewrite.isOp(add, 'Add') || add.input.length !== 2 || add.output.length !== 1) continue;
    for (const k of [0, 1] as const) {
      const x = add.input[k]!;
      const mul = view.producer.get(add.input[1 - k]!);
      if (!rewrite.isOp(mul, 'Mul') || mul.input.length !== 2 || !mul.input.includes(x) || rewrite.soleConsumer(mul.output[0]!) !== add) continue;
      const s = mul.input[0] === x ? mul.input[1]! : mul.input[0]!;
      if (s === x || view.floatTensor(s) || view.floatTensor(x)) continue;
      if (rewrite.touched(add, mul)) continue;
      const fresh: OnnxNode[] = [];
      if (!one) {
        one = constantNode('p2o_fuse_one', [1], Float32Array.of(1));
        fresh.push(one);
      }
      const plusOne = `${mul.name}_plus_one`;
      // at the Mul's place: s is ready there; the Add's readers come after the Add, after it
      rewrite.replace.set(mul, [
        ...fresh,
        { input: [s, one.output[0]!], output: [plusOne], name: plusOne, opType: 'Add', domain: '', attributes: [], otherFields: [] },
        { input: [x, plusOne], output: [add.output[0]!], name: `${add.name}_scale`, opType: 'Mul', domain: '', attributes: [], otherFields: [] },
      ]);
      rewrite.drop.add(add);
      count++;
      break;
    }
  }
  return count;
}
