import { Logger } from '@nestjs/common';

// Services log through Nest's logger; unit tests assert behaviour, not log output.
Logger.overrideLogger(false);
