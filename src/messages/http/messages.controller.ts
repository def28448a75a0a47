import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Post,
  Query,
  UseGuards,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import {
  ApiErrors,
  AUTH_ERRORS,
  BEARER_AUTH,
  BODY_ERRORS,
  CurrentUser,
  Public,
} from '../../common/http';
import type { RequestPrincipal } from '../../auth';
import { CallerAccount, type UserAccount } from '../../users';
import { PAGE_SIZE_DEFAULT } from '../../common/pagination';
import { Clock } from '../../common/time';
import { MessagesService } from '../application/messages.service';
import { CreateMessageDto } from './dto/create-message.dto';
import { ListMessagesQuery } from './dto/list-messages.query';
import {
  MessageListResponseDto,
  MessageResponseDto,
  toMessageListResponse,
  toMessageResponse,
} from './dto/message.response';
import { PublicReadLimitGuard } from './public-read-limit.guard';

/** Public reads are counted per client address (PUBLIC_READ_LIMIT). */
const READ_LIMIT_ERRORS = { 429: ['TOO_MANY_REQUESTS'] };

@ApiTags('messages')
@Controller('messages')
export class MessagesController {
  constructor(
    private readonly messages: MessagesService,
    private readonly clock: Clock,
  ) {}

  @Get()
  @Public()
  @UseGuards(PublicReadLimitGuard)
  @ApiOperation({ summary: 'Live messages, soonest to expire first' })
  @ApiOkResponse({ type: MessageListResponseDto })
  @ApiErrors({ 400: ['VALIDATION_FAILED'] }, READ_LIMIT_ERRORS)
  async list(@Query() query: ListMessagesQuery): Promise<MessageListResponseDto> {
    const page = await this.messages.list(query.limit ?? PAGE_SIZE_DEFAULT, query.cursor);
    return toMessageListResponse(page, this.clock.now());
  }

  @Get(':id')
  @Public()
  @UseGuards(PublicReadLimitGuard)
  @ApiOperation({ summary: 'One live message' })
  @ApiOkResponse({ type: MessageResponseDto })
  @ApiErrors({ 404: ['MESSAGE_NOT_FOUND'] }, READ_LIMIT_ERRORS)
  async get(@Param('id') id: string): Promise<MessageResponseDto> {
    return toMessageResponse(await this.messages.get(id), this.clock.now());
  }

  @Post()
  @ApiBearerAuth(BEARER_AUTH)
  @ApiOperation({ summary: 'Post a message; the author is the caller' })
  @ApiCreatedResponse({ type: MessageResponseDto })
  @ApiErrors(AUTH_ERRORS, BODY_ERRORS, { 429: ['TOO_MANY_REQUESTS'] })
  async post(
    @CallerAccount() author: UserAccount,
    @Body() body: CreateMessageDto,
  ): Promise<MessageResponseDto> {
    const message = await this.messages.post(author, body.message, body.ttlSeconds);
    return toMessageResponse(message, this.clock.now());
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiBearerAuth(BEARER_AUTH)
  @ApiOperation({ summary: 'Delete a message (its author or an admin)' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(AUTH_ERRORS, { 403: ['FORBIDDEN'], 404: ['MESSAGE_NOT_FOUND'] })
  async delete(@CurrentUser() caller: RequestPrincipal, @Param('id') id: string): Promise<void> {
    await this.messages.delete(caller, id);
  }
}
