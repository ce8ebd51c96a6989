// The request behind an inbound SAML message, as access/app-sso/refusals.ts records a refusal:
// its request-log id, its method (which names the binding) and its logger.
import type { Request } from 'express';
import type { InboundCall } from '../../access/app-sso/refusals.ts';

export const inboundCall = (req: Request): InboundCall => ({ requestId: req.id, method: req.method, log: req.log });
