import type { Handler } from './context';
import { DOMAIN_HANDLERS } from './domain-handlers';
import { SimFault, type SimSession } from './state';

export type { Handler } from './context';

/**
 * What each operation does, by SOAP operation name (see Handler); the session's own here, the
 * domain's in domain-handlers.ts. test/simulator checks that every manifest action has one.
 */
export const HANDLERS: Record<string, Handler> = {
  setSessionParameters(ctx, input) {
    // viewSettings is optional in Five9's WSDL (the connector requires it before sending): without
    // it the session takes the defaults, shift and time zone at 0.
    const vs = { shiftStart: 0, timeZone: 0, ...(input.viewSettings ?? {}) };
    const rule = ctx.manifest.raw.session.idleTimeOut;
    const idle = vs.idleTimeOut ?? rule.default;
    if (idle < rule.min || idle > rule.max) {
      throw new SimFault('IncorrectArgumentFault', { message: `Value ${idle} of "ViewSettings.idleTimeOut" is out of range ${rule.min}..${rule.max}` });
    }
    const session: SimSession = { viewSettings: vs, idleTimeOutMs: idle * 1000, lastActivity: ctx.now, startedAt: ctx.now };
    ctx.sessions.set(ctx.user, session);
    return null;
  },
  getSessionParameters(ctx) {
    const s = ctx.session!;
    return { ...s.viewSettings, idleTimeOut: s.idleTimeOutMs / 1000 };
  },
  closeSession(ctx) {
    ctx.sessions.delete(ctx.user);
    return null;
  },
  getCallCountersState(ctx) {
    return ctx.tenant.quotas.state();
  },
  ...DOMAIN_HANDLERS,
};
