import { Global, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { flushTracing } from './tracing-state';

/** Sends the spans still queued when the application closes (SIGTERM), before the process ends. */
@Injectable()
class TracingFlush implements OnApplicationShutdown {
  onApplicationShutdown(): Promise<void> {
    return flushTracing();
  }
}

/** The trace SDK runs outside Nest (src/tracing.ts); this only empties it on the way out. */
@Global()
@Module({ providers: [TracingFlush] })
export class TracingModule {}
