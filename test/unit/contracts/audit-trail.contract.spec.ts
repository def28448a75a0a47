import { describeAuditTrailContract } from '../../contracts/audit-trail.contract';
import { InMemoryAuditTrail } from '../fakes/in-memory-audit.trail';

describeAuditTrailContract('InMemoryAuditTrail', async () => ({ trail: new InMemoryAuditTrail() }));
