import { ApiProperty } from '@nestjs/swagger';

export class DependencyStatusDto {
  @ApiProperty({ enum: ['up', 'down'], example: 'up' })
  status!: 'up' | 'down';
}

export class HealthChecksDto {
  @ApiProperty({ type: DependencyStatusDto })
  database!: DependencyStatusDto;

  @ApiProperty({ type: DependencyStatusDto })
  redis!: DependencyStatusDto;
}

export class HealthResponseDto {
  @ApiProperty({ enum: ['ok', 'error'], example: 'ok' })
  status!: 'ok' | 'error';

  @ApiProperty({ type: HealthChecksDto })
  checks!: HealthChecksDto;
}
