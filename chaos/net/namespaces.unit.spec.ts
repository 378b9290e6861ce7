import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  createCommands,
  layoutOf,
  loopbackRuleset,
  namesOfSet,
  netemCommands,
  stackPorts,
} from './namespaces.ts';

describe('network namespaces of the chaos run (pure)', () => {
  test('names and addresses derive from the set and the slot, inside 10.231.0.0/16, interface names fit IFNAMSIZ', () => {
    assert.deepEqual(layoutOf(3300, 0), {
      slot: 0,
      namespace: 'osn-3300-0',
      hostVeth: 'osv3300x0h',
      nsVeth: 'osv3300x0n',
      hostAddress: '10.231.228.1',
      nsAddress: '10.231.228.2',
    });
    const last = layoutOf(65_000, 63);
    assert.equal(last.nsAddress, '10.231.232.254');
    assert.ok(last.hostVeth.length <= 15 && last.nsVeth.length <= 15, last.hostVeth);
    assert.throws(() => layoutOf(3300, 64), RangeError);
    const addresses = Array.from({ length: 20 }, (_, slot) => layoutOf(3900, slot)).flatMap((l) => [
      l.hostAddress,
      l.nsAddress,
    ]);
    assert.equal(new Set(addresses).size, 40, 'no two ends share an address');
    assert.ok(addresses.every((a) => a.startsWith('10.231.')));
  });

  test('the commands build the pair, address both ends, route through the root end and DNAT loopback to it', () => {
    const l = layoutOf(3900, 2);
    const commands = createCommands(l, [9170, 8170, 5432]);
    assert.deepEqual(commands[0]?.argv, ['ip', 'netns', 'add', 'osn-3900-2']);
    assert.deepEqual(commands[1]?.argv, [
      'ip',
      'link',
      'add',
      'osv3900x2h',
      'type',
      'veth',
      'peer',
      'name',
      'osv3900x2n',
      'netns',
      'osn-3900-2',
    ]);
    assert.ok(
      commands.some((c) => c.argv.join(' ') === 'ip -n osn-3900-2 route add default via 10.231.60.9'),
    );
    assert.ok(
      commands.some((c) => c.argv.join(' ').endsWith('sysctl -qw net.ipv4.conf.all.route_localnet=1')),
      'loopback-sourced packets may leave through the veth',
    );
    const nft = commands.at(-1);
    assert.deepEqual(nft?.argv, ['ip', 'netns', 'exec', 'osn-3900-2', 'nft', '-f', '-']);
    assert.equal(nft?.stdin, loopbackRuleset(l, [9170, 8170, 5432]));
    assert.match(
      nft?.stdin ?? '',
      /ip daddr 127\.0\.0\.1 tcp dport \{ 5432, 8170, 9170 \} dnat to 10\.231\.60\.9/,
    );
    assert.match(nft?.stdin ?? '', /oifname "osv3900x2n" masquerade/);
    assert.throws(() => createCommands(l, []), RangeError);
  });

  test('netem on both ends of the veth', () => {
    const l = layoutOf(3900, 0);
    assert.deepEqual(
      netemCommands(l, 20, 5).map((c) => c.argv.join(' ')),
      [
        'tc qdisc replace dev osv3900x0h root netem delay 20ms 5ms',
        'tc -n osn-3900-0 qdisc replace dev osv3900x0n root netem delay 20ms 5ms',
      ],
    );
  });

  test('a stale set is found by its names only (other sets and other namespaces are left alone)', () => {
    const netns = 'osn-3900-1 (id: 1)\nosn-3900-12\nosn-39000-1 (id: 3)\nosn-3900-x\nother\n';
    const links = [
      '5: osv3900x1h@if4: <BROADCAST,MULTICAST,UP> mtu 1500',
      '7: osv39001x1h@if6: <BROADCAST> mtu 1500',
      '9: osv3900x1n: <BROADCAST> mtu 1500',
      '1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536',
    ].join('\n');
    assert.deepEqual(namesOfSet(3900, netns, links), {
      namespaces: ['osn-3900-1', 'osn-3900-12'],
      veths: ['osv3900x1h'],
    });
  });

  test('the stack ports: every broker, the registry and Postgres, on 127.0.0.1 only', () => {
    assert.deepEqual(
      stackPorts(
        ['127.0.0.1:9170', '127.0.0.1:9172'],
        'http://127.0.0.1:8170/apis/ccompat/v7',
        'postgres://postgres@127.0.0.1/db',
      ),
      [5432, 8170, 9170, 9172],
    );
    assert.throws(
      () => stackPorts(['localhost:9092'], 'http://127.0.0.1:8081', 'postgres://127.0.0.1:5432/x'),
      /127\.0\.0\.1 only, not localhost/,
    );
  });
});
