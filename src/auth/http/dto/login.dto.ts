import { ApiProperty } from '@nestjs/swagger';
import { IsString } from 'class-validator';

/** Only types are checked: any two strings that open no account are "invalid credentials". */
export class LoginDto {
  @ApiProperty({ example: 'ada@example.com' })
  @IsString()
  email!: string;

  @ApiProperty({ example: 'correct horse battery staple' })
  @IsString()
  password!: string;
}
