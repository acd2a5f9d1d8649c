import type { Request } from 'express';
import type { Core } from '../../context.js';
import { parse, fields } from '../../shared/validation.js';
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
