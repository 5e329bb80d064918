import type { Handler } from './context';
import { DOMAIN_HANDLERS } from './domain-handlers';
import { SimFault, type SimSession } from './state';

export type { Handler } from './context';

/**
 * What each operation does, by SOAP operation name (see Handler). test/simulator checks that every
 * manifest action has one.
 */

export const HANDLERS: Record<string, Handler> = {
  setSessionParameters(ctx, input) {
    const vs = { ...(input.viewSettings ?? {}) };
    if (vs.shiftStart === undefined || vs.timeZone === undefined) {
      throw new SimFault('MissedArgumentFault', { message: 'ViewSettings.shiftStart and ViewSettings.timeZone are required' });
    }
    const idle = vs.idleTimeOut ?? ctx.idleTimeOut.default;
    if (idle < ctx.idleTimeOut.min || idle > ctx.idleTimeOut.max) {
      throw new SimFault('IncorrectArgumentFault', { message: `Value ${idle} of "ViewSettings.idleTimeOut" is out of range ${ctx.idleTimeOut.min}..${ctx.idleTimeOut.max}` });
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
