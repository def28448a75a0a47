import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class DependencyStatusDto {
  @ApiProperty({ enum: ['up', 'down'], example: 'up' })
  status!: 'up' | 'down';
}

export class RedisClusterStatusDto {
  @ApiProperty({
    example: 'ok',
    description: '`cluster_state` of CLUSTER INFO: ok when every slot is served',
  })
  state!: string;

  @ApiProperty({ example: 3, description: 'The masters the service knows, one per shard' })
  masters!: number;

  @ApiProperty({ example: 3, description: 'How many of them answered a PING' })
  mastersReachable!: number;
}

export class RedisStatusDto extends DependencyStatusDto {
  @ApiPropertyOptional({
    type: RedisClusterStatusDto,
    description: 'Only when the service runs on a Redis Cluster (REDIS_CLUSTER_NODES)',
  })
  cluster?: RedisClusterStatusDto;
}

export class HealthChecksDto {
  @ApiProperty({ type: DependencyStatusDto })
  database!: DependencyStatusDto;

  @ApiProperty({ type: RedisStatusDto })
  redis!: RedisStatusDto;
}

export class HealthResponseDto {
  @ApiProperty({ enum: ['ok', 'error'], example: 'ok' })
  status!: 'ok' | 'error';

  @ApiProperty({ type: HealthChecksDto })
  checks!: HealthChecksDto;
}
