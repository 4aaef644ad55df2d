import { DELIVERY_PLAN_VAR, parseDeliveryPlan } from '../../../lib/dev/delivery-process';

describe('the delivery plan a delivery process reads', () => {
  const push = { host: '127.0.0.1:8085', projectId: 'p', subscription: 's', pushEndpoint: 'http://127.0.0.1:1/x', minimumBackoffMs: 100, maximumBackoffMs: 400 };

  it('reads a relay and its push subscriptions', () => {
    const plan = { relay: { port: 9000, target: 'http://127.0.0.1:9001', concurrency: 64 }, pushes: [push] };
    expect(parseDeliveryPlan(JSON.stringify(plan))).toEqual(plan);
  });

  it('names the variable and the field that is wrong', () => {
    expect(() => parseDeliveryPlan(undefined)).toThrow(`${DELIVERY_PLAN_VAR} is not set`);
    expect(() => parseDeliveryPlan('{')).toThrow(`${DELIVERY_PLAN_VAR} is not JSON`);
    expect(() => parseDeliveryPlan(JSON.stringify({ pushes: [{ ...push, pushEndpoint: 'nowhere' }] }))).toThrow(`${DELIVERY_PLAN_VAR}: pushes.0.pushEndpoint:`);
  });
});
