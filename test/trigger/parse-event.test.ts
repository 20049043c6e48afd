import { describe, expect, it } from '@jest/globals';
import { decodeS3Key, parseUploadEvents, TriggerEventError } from '../../trigger/parse-event.js';
import { runIdFor } from '../../trigger/run-id.js';

/** The shape S3 sends (from the S3 user guide's event message structure), for one key. */
function s3Event(key: string, extra: { eventName?: string; versionId?: string } = {}) {
  return JSON.stringify({
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: 'us-east-1',
        eventTime: '2026-11-23T18:00:00.000Z',
        eventName: extra.eventName ?? 'ObjectCreated:Put',
        userIdentity: { principalId: 'AWS:AIDAEXAMPLE' },
        requestParameters: { sourceIPAddress: '203.0.113.7' },
        responseElements: { 'x-amz-request-id': 'C3D13FE58DE4C810', 'x-amz-id-2': 'FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD' },
        s3: {
          s3SchemaVersion: '1.0',
          configurationId: 'drover-incoming',
          bucket: { name: 'drover-input', ownerIdentity: { principalId: 'A3NL1KOZZKExample' }, arn: 'arn:aws:s3:::drover-input' },
          object: { key, size: 9916, eTag: 'd41d8cd98f00b204e9800998ecf8427e', versionId: extra.versionId, sequencer: '0055AED6DCD90281E5' },
        },
      },
    ],
  });
}

describe('parseUploadEvents', () => {
  it('decodes keys the way S3 encodes them: %XX, and + for a space', () => {
    const [upload] = parseUploadEvents(s3Event('incoming/east/May+customers+%282026%29.xlsx'));
    expect(upload).toEqual({
      bucket: 'drover-input',
      key: 'incoming/east/May customers (2026).xlsx',
      etag: 'd41d8cd98f00b204e9800998ecf8427e',
      version: 'd41d8cd98f00b204e9800998ecf8427e',
      size: 9916,
    });
    expect(decodeS3Key('incoming/a%2Bb+c.xlsx')).toBe('incoming/a+b c.xlsx');
  });

  it('names the version when the bucket is versioned, and ignores the "null" version', () => {
    expect(parseUploadEvents(s3Event('incoming/a.xlsx', { versionId: '3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY' }))[0]!.version).toBe('3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY');
    expect(parseUploadEvents(s3Event('incoming/a.xlsx', { versionId: 'null' }))[0]!.version).toBe('d41d8cd98f00b204e9800998ecf8427e');
  });

  it('ignores the test event S3 sends when the notification is set up', () => {
    const testEvent = JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent', Time: '2026-11-23T18:00:00.000Z', Bucket: 'drover-input', RequestId: '5582815E1AEA5ADF', HostId: '8cLeGAmw098X5cv4Zkwcmo8vvZa3eH3eKxsPzbB9wrR+YstdA6Knx4Ip8EXAMPLE' });
    expect(parseUploadEvents(testEvent)).toEqual([]);
  });

  it('ignores keys outside incoming/*.xlsx and events other than ObjectCreated', () => {
    expect(parseUploadEvents(s3Event('reports/credit-report-x.xlsx'))).toEqual([]);
    expect(parseUploadEvents(s3Event('incoming/notes.csv'))).toEqual([]);
    expect(parseUploadEvents(s3Event('incoming/folder/'))).toEqual([]);
    expect(parseUploadEvents(s3Event('incoming/a.xlsx', { eventName: 'ObjectRemoved:Delete' }))).toEqual([]);
    expect(parseUploadEvents(s3Event('incoming/UPPER.XLSX'))).toHaveLength(1);
  });

  it('refuses a body that is not an S3 notification, with a stable code', () => {
    expect(() => parseUploadEvents('not json')).toThrow(TriggerEventError);
    try {
      parseUploadEvents('{"hello":"world"}');
    } catch (err) {
      expect((err as TriggerEventError).code).toBe('TRIGGER_BAD_EVENT');
      expect((err as Error).message).toBe('the message is not an S3 event notification (no Records)');
    }
    expect.assertions(3);
  });
});

describe('runIdFor', () => {
  it('names one run per bucket, key and content version', () => {
    const id = runIdFor('drover-input', 'incoming/a.xlsx', '"d41d8cd98f00b204e9800998ecf8427e"');
    expect(id).toMatch(/^credit-[0-9a-f]{12}$/);
    // The ETag in a PutObject answer is quoted; in the event it is not: same run.
    expect(runIdFor('drover-input', 'incoming/a.xlsx', 'd41d8cd98f00b204e9800998ecf8427e')).toBe(id);
    expect(runIdFor('drover-input', 'incoming/a.xlsx', 'ffff')).not.toBe(id);
    expect(runIdFor('drover-input', 'incoming/b.xlsx', 'd41d8cd98f00b204e9800998ecf8427e')).not.toBe(id);
  });
});
