import type { Agent } from './platform.js';
import { send } from './actors.js';

export interface RecordedEvent {
  id: number;
  clocks: { id: number; kind: string }[];
}

/**
 * Records an opinion event through the API as a signed-in user (201 expected); a general,
 * non-emergency event unless `body` says otherwise.
 */
export async function recordEvent(
  who: { agent: Agent; csrf: string },
  body: {
    title: string;
    detectedAt: Date;
    severity?: string;
    emergency?: boolean;
    responsibleDepartmentId?: number;
  },
): Promise<RecordedEvent> {
  const res = await send(who, 'post', '/api/opinion/events', {
    severity: 'general',
    emergency: false,
    ...body,
    detectedAt: body.detectedAt.toISOString(),
  }).expect(201);
  return res.body as RecordedEvent;
}
