export { Clock, SystemClock } from './clock';
export { TimeModule } from './time.module';
