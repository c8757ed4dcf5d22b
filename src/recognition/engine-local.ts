// One recognition engine in the current thread: models loaded once, bytes in, result out.
// The pool runs one of these per worker thread.
import sharp from 'sharp';
import { lendCore, loadModels, releaseModels, type ModelGraphs, type OcrModels } from './ocr/engine.ts';
import { decodeImage, RECOGNITION_MAX_SIDE, RECOGNITION_REDUCED_SIDE } from './image.ts';
import { readCard } from './pipeline.ts';
import { recognizeLine } from './ocr/recognize.ts';
import { startPeers, type PeerSetup } from './peer.ts';
import type { Quad, RecognitionResult } from './types.ts';

export interface LocalEngine {
  read(image: Buffer): Promise<RecognitionResult>;
  close(): Promise<void>;
}

/** `graphs`: the rewritten model graphs when the caller has them (the pool), else taken from the
 *  cache in `graphCacheDir` (ocr/graph-cache.ts) or made here;
 *  `peers`: a pool worker's links to the other workers, to share line recognition (peer.ts). */
/** `maxSide`: images with a longer side are decoded reduced to RECOGNITION_REDUCED_SIDE (or to
 *  `maxSide` when smaller); default RECOGNITION_MAX_SIDE, 4096 = every accepted image whole. */
export async function createLocalEngine(opts: { threads?: number; graphs?: ModelGraphs; graphCacheDir?: string; peers?: PeerSetup; maxSide?: number } = {}): Promise<LocalEngine> {
  // one worker, one core: libvips must not start its own thread pool per call either
  sharp.concurrency(1);
  sharp.cache(false);
  const models: OcrModels = await loadModels({ threads: opts.threads ?? 1, graphs: opts.graphs, graphCacheDir: opts.graphCacheDir, wideDet: !!opts.peers && opts.peers.wideDet !== false });
  if (opts.peers) {
    const peers = startPeers(opts.peers, (crop) => recognizeLine(models, crop));
    // a card's lines shared with an idle peer; its detection runs on two cores when one is idle
    models.lines = peers.run;
    if (models.detWide) lendCore(models.det, models.detWide, peers.claim);
  }
  return {
    async read(image) {
      const t0 = performance.now();
      // a photo larger than anything downstream reads is reduced while it is decoded (image.ts)
      const decoded = await decodeImage(image, { maxSide: opts.maxSide ?? RECOGNITION_MAX_SIDE, reduceTo: RECOGNITION_REDUCED_SIDE });
      const decodeMs = Math.round((performance.now() - t0) * 10) / 10;
      const result = await readCard(models, { data: decoded.data, width: decoded.width, height: decoded.height });
      result.timings = { decode: decodeMs, ...result.timings };
      // corners in the pixels of the image as sent
      const sx = decoded.sourceWidth / decoded.width, sy = decoded.sourceHeight / decoded.height;
      if (sx !== 1 || sy !== 1) {
        const scale = (q: Quad) => q.map(([x, y]) => [Math.round(x * sx), Math.round(y * sy)]) as Quad;
        if (result.quad) result.quad = scale(result.quad);
        if (result.quadFromText) result.quadFromText = scale(result.quadFromText);
      }
      return result;
    },
    close: () => releaseModels(models),
  };
}
