import { Controller, Get, Res, ServiceUnavailableException } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { type HealthCheckResult, HealthCheckService } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { Public } from '../http/public.decorator';
import { DatabaseHealthIndicator } from './database.health-indicator';
import { HealthResponseDto } from './health.dto';
import { type ClusterHealth, RedisHealthIndicator } from './redis.health-indicator';

/** Each dependency gets this long to answer, so the whole check answers within 2 seconds. */
const CHECK_TIMEOUT_MS = 1500;

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: DatabaseHealthIndicator,
    private readonly redis: RedisHealthIndicator,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Report whether PostgreSQL and Redis answer' })
  @ApiOkResponse({ type: HealthResponseDto, description: 'Both dependencies are up' })
  @ApiServiceUnavailableResponse({
    type: HealthResponseDto,
    description: 'A dependency is down; status is "error" and the failing check "down"',
  })
  async check(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthResponseDto> {
    let result: HealthCheckResult;
    try {
      result = await this.health.check([
        () => this.database.pingCheck('database', CHECK_TIMEOUT_MS),
        () => this.redis.pingCheck('redis', CHECK_TIMEOUT_MS),
      ]);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      result = error.getResponse() as HealthCheckResult;
      reply.code(503);
    }
    reply.header('Cache-Control', 'no-store');
    // Only up/down leaves the service; the reasons are in the log.
    return {
      status: result.status === 'ok' ? 'ok' : 'error',
      checks: {
        database: { status: result.details.database?.status === 'up' ? 'up' : 'down' },
        redis: {
          status: result.details.redis?.status === 'up' ? 'up' : 'down',
          ...clusterOf(result.details.redis),
        },
      },
    };
  }
}

/** A cluster's state and master count, which name no address and no reason: safe to show. */
function clusterOf(details: Record<string, unknown> | undefined): { cluster?: ClusterHealth } {
  const cluster = details?.cluster as ClusterHealth | undefined;
  return cluster ? { cluster } : {};
}
