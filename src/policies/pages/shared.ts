import type { Request, Response } from 'express';
import type { Core } from '../../context.js';
import { parse, fields } from '../../shared/validation.js';
import { toIsoShanghai } from '../../shared/time.js';
import { PolicyService } from '../service.js';
import { InterpretationService } from '../interpretations.js';
import { AttachmentService } from '../attachments.js';

/** What every group of policy pages works with. */
export interface PolicyPageContext {
  core: Core;
  svc: PolicyService;
  interpretationSvc: InterpretationService;
  attachmentSvc: AttachmentService;
}

export function policyPageContext(core: Core): PolicyPageContext {
  return {
    core,
    svc: new PolicyService(core),
    interpretationSvc: new InterpretationService(core),
    attachmentSvc: new AttachmentService(core),
  };
}

export const idOf = (req: Request) => parse(fields.id, req.params.id, '文件编号');

/** Countdowns in the browser correct their clock against the server's (tests pin it). */
export const stampNow = (core: Core) => (_req: Request, res: Response, next: () => void) => {
  res.locals.nowIso = toIsoShanghai(core.clock.now());
  next();
};
