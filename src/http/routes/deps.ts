// What the public routes need from the server.
import type { Recognizer } from '../../recognition/index.ts';
import type { ImageInputDeps } from '../image-input.ts';
import type { VerificationSource } from '../identity.ts';
import type { Metrics } from '../metrics.ts';

export interface RouteDeps {
  recognizer: () => Promise<Recognizer | undefined>;
  verification?: VerificationSource;
  metrics: Metrics;
  images: ImageInputDeps;
}
