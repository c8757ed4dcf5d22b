// One recognition engine in the current thread: models loaded once, bytes in, result out.
// The pool runs one of these per worker thread.
import sharp from 'sharp';
import { lendCore, loadModels, releaseModels, type ModelGraphs, type OcrModels } from './ocr/engine.ts';
import { decodeImage } from './image.ts';
import { readCard } from './pipeline.ts';
import { recognizeLine } from './ocr/recognize.ts';
import { startPeers, type PeerSetup } from './peer.ts';
import type { RecognitionResult } from './types.ts';

export interface LocalEngine {
  read(image: Buffer): Promise<RecognitionResult>;
  close(): Promise<void>;
}

/** `graphs`: the rewritten model graphs when the caller has them (the pool), else made here;
 *  `peers`: a pool worker's links to the other workers, to share line recognition (peer.ts). */
export async function createLocalEngine(opts: { threads?: number; graphs?: ModelGraphs; peers?: PeerSetup } = {}): Promise<LocalEngine> {
  // one worker, one core: libvips must not start its own thread pool per call either
  sharp.concurrency(1);
  sharp.cache(false);
  const models: OcrModels = await loadModels({ threads: opts.threads ?? 1, graphs: opts.graphs, wideDet: !!opts.peers && opts.peers.wideDet !== false });
  if (opts.peers) {
    const peers = startPeers(opts.peers, (crop) => recognizeLine(models, crop));
    // a card's lines shared with an idle peer; its detection runs on two cores when one is idle
    models.lines = peers.run;
    if (models.detWide) lendCore(models.det, models.detWide, peers.claim);
  }
  return {
    async read(image) {
      const t0 = performance.now();
      const decoded = await decodeImage(image);
      const decodeMs = Math.round((performance.now() - t0) * 10) / 10;
      const result = await readCard(models, { data: decoded.data, width: decoded.width, height: decoded.height });
      result.timings = { decode: decodeMs, ...result.timings };
      return result;
    },
    close: () => releaseModels(models),
  };
}
