import { describe, expect, it } from '@jest/globals';
import { PortalOptionsError } from '../../portal/errors.js';
import { startPortal } from '../../portal/server.js';

async function get(url: string, client: string): Promise<{ status: number; retryAfter: string | null; body: string }> {
  const res = await fetch(url, { headers: { 'x-client-id': client } });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.text() };
}

describe('the demo portal\'s maintenance window', () => {
  it('is closed for its seconds of every period from a point after the first request, with Retry-After the whole seconds left', async () => {
    // The portal's clock moves only when the test moves it, so each request lands where the test says, however slow the machine.
    let now = 0;
    const portal = await startPortal({ maintenanceSeconds: 1, maintenanceEverySeconds: 3, maintenanceAfterSeconds: 0.5, clock: () => now });
    try {
      const parcel = `${portal.url}/parcels/31-000-500`;
      const open = await get(parcel, 'a');
      expect(open.status).not.toBe(503);
      expect(portal.stats().maintenance).toMatchObject({ windows: 0, closedAnswers: 0, early: 0 });

      now = 600; // into the first window, 0.5 s to 1.5 s after the first request
      const closed = await get(parcel, 'a');
      expect(closed.status).toBe(503);
      expect(closed.body).toMatch(/maintenance/i);
      expect(closed.retryAfter).toBe('1');
      // Asking again, for any page, before the window opens is early; another client is not.
      now = 900;
      expect((await get(`${portal.url}/parcels/31-001-500`, 'a')).status).toBe(503);
      expect((await get(parcel, 'b')).status).toBe(503);
      expect(portal.stats().maintenance).toMatchObject({ windows: 1, closedAnswers: 3, early: 1 });

      now = 1600; // the window is over
      expect((await get(parcel, 'a')).status).not.toBe(503);
      expect(portal.stats()).toMatchObject({ byStatus: { '503': 3 }, maintenance: { windows: 1, closedAnswers: 3, early: 1 } });
    } finally {
      await portal.close();
    }
  });

  it('refuses a window as long as its period, or a period without a window', async () => {
    await expect(startPortal({ maintenanceSeconds: 30 })).rejects.toThrow(PortalOptionsError);
    await expect(startPortal({ maintenanceEverySeconds: 10 })).rejects.toMatchObject({ code: 'PORTAL_OPTIONS', message: 'maintenanceEverySeconds and maintenanceAfterSeconds need maintenanceSeconds' });
    await expect(startPortal({ maintenanceSeconds: 0 })).rejects.toMatchObject({ code: 'PORTAL_OPTIONS', message: 'maintenanceSeconds must be above 0, got 0' });
  });
});
