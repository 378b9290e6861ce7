import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeChunked, parseResponseHead } from './http1-client.ts';

describe('parseResponseHead', () => {
  it('reads the status, Content-Length and Connection, whatever the case of the names', () => {
    assert.deepEqual(
      parseResponseHead(
        'HTTP/1.1 202 Accepted\r\ncontent-type: application/json\r\nCONTENT-LENGTH:  57 \r\nConnection: keep-alive',
      ),
      { status: 202, contentLength: 57, chunked: false, close: false },
    );
    assert.deepEqual(parseResponseHead('HTTP/1.0 429 Too Many Requests\r\nConnection: Close'), {
      status: 429,
      contentLength: null,
      chunked: false,
      close: true,
    });
  });

  it('sees chunked transfer coding among others', () => {
    assert.equal(parseResponseHead('HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked').chunked, true);
    assert.equal(parseResponseHead('HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip').chunked, false);
  });

  it('accepts a status line without a reason phrase', () => {
    assert.equal(parseResponseHead('HTTP/1.1 503\r\nContent-Length: 0').status, 503);
  });

  it('refuses a malformed status line, header line or Content-Length, naming what it saw', () => {
    assert.throws(() => parseResponseHead('HTTP/2 200 OK'), /malformed HTTP status line: "HTTP\/2 200 OK"/);
    assert.throws(() => parseResponseHead('HTTP/1.1 200 OK\r\nno colon here'), /malformed HTTP header line/);
    assert.throws(
      () => parseResponseHead('HTTP/1.1 200 OK\r\nContent-Length: -1'),
      /malformed Content-Length: "-1"/,
    );
  });
});

describe('decodeChunked', () => {
  const encoded = Buffer.from('5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nX-Trailer: yes\r\n\r\n');

  it('joins the chunks and says how many bytes the body took, trailers included', () => {
    const decoded = decodeChunked(encoded);
    assert.ok(decoded);
    assert.equal(decoded.body.toString(), 'hello, world');
    assert.equal(decoded.consumed, encoded.length);
  });

  it('returns null until the last chunk and the blank line after it have arrived', () => {
    for (let cut = 0; cut < encoded.length; cut++) {
      assert.equal(decodeChunked(encoded.subarray(0, cut)), null, `cut at ${cut}`);
    }
  });

  it('refuses a chunk size that is not hexadecimal', () => {
    assert.throws(() => decodeChunked(Buffer.from('zz\r\nhello\r\n')), /malformed chunk size: "zz"/);
  });
});
