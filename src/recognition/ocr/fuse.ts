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
// ORT's own optimizer does not do 2 or 3: its ConvMulFusion / ConvAddFusion take a rank-0 scalar
// or a per-channel (C×1×1, 1×C×1×1) initializer, but paddle2onnx gives these scalars shape [1],
// which they reject; and ORT has no rule moving an affine into the following Conv.
//
// Measured (bench/ocr-fuse.ts, one thread, median CPU per run): det 416×640 101 → 75 ms, rec
// 48×320 33.5 → 25.5 ms (105 → 80 µs per input column), cls 1.9 → 1.2 ms. The fusion itself:
// 0.25–0.4 s CPU per model on a cold process, once at load.
//
// Anything not exactly matching (shared weights, values also used elsewhere or as graph outputs,
// non-float constants, subgraphs, a model we cannot parse) is left alone; the function never
// throws and returns its input when nothing was rewritten.

import { OnnxGraphView, floatAttribute, parseAttribute, type OnnxNode } from './onnx-bytes.ts';

export interface FuseCounts {
  /** Add/Clip/Mul/Div hardswish chains turned into HardSigmoid + Mul */
  hardswish: number;
  /** Conv -> Mul -> Add folded into the Conv */
  convAffine: number;
  /** Mul -> Add -> Conv folded into the Conv (the Add kept for padded Convs) */
  affineConv: number;
}

export interface FuseResult {
  model: Uint8Array;
  fused: FuseCounts;
}

/** Rewrites the patterns above; returns `model` itself (unchanged) when none is found or the
 *  bytes cannot be read as an ONNX model. */
export function fusePaddleOcrGraph(model: Uint8Array): FuseResult {
  const none: FuseCounts = { hardswish: 0, convAffine: 0, affineConv: 0 };
  const passes: [keyof FuseCounts, (view: OnnxGraphView, rewrite: GraphRewrite) => number][] = [
    ['hardswish', fuseHardSwish],
    ['convAffine', fuseAffineAfterConv],
    ['affineConv', fuseAffineBeforeConv],
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
    if (fused.hardswish + fused.convAffine + fused.affineConv === 0) return { model, fused };
    return { model: bytes, fused };
  } catch {
    return { model, fused: none };
  }
}

/** The edits one pass collects; applied by OnnxGraphView.emit. */
class GraphRewrite {
  readonly drop = new Set<OnnxNode>();
  readonly replace = new Map<OnnxNode, OnnxNode>();
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
