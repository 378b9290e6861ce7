import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { enumSymbols } from '../../lib/contracts/generated.ts';
import { notificationRules, notifiedEvents } from './notification-events.ts';
import { loadTemplates, TemplateError } from './templates.ts';

const templates = loadTemplates();
/** A value for every placeholder any template uses. */
const values = {
  orderId: '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b',
  shortOrderId: '0193a1b2',
  itemCount: '3',
  total: '€39.98',
  reason: 'the payment was declined',
};

test('there are locales, en among them', () => {
  assert.ok(templates.locales.includes('en'));
  assert.ok(templates.locales.length >= 2, templates.locales.join(', '));
});

test('every notified event has a template for each of its channels in every locale, and it renders', () => {
  for (const locale of templates.locales) {
    for (const event of notifiedEvents) {
      const rule = notificationRules[event];
      for (const channel of rule.channels) {
        assert.ok(templates.has(locale, rule.template, channel), `${locale}/${rule.template}.${channel}.txt`);
        const rendered = templates.render(locale, rule.template, channel, values);
        assert.doesNotMatch(rendered.text, /\{\{|\}\}/, `${locale}/${rule.template}.${channel}: all filled`);
        if (channel === 'email') assert.ok(rendered.subject, `${locale}/${rule.template}: a subject`);
        else assert.ok(rendered.text.length <= 160, `${locale}/${rule.template}.sms fits one SMS`);
      }
    }
  }
});

test('the templates of OrderShipped and OrderDelivered are ready for when order-events carries them', () => {
  for (const locale of templates.locales) {
    for (const template of ['order-shipped', 'order-delivered']) {
      for (const channel of ['email', 'sms'] as const) {
        assert.ok(templates.has(locale, template, channel), `${locale}/${template}.${channel}.txt`);
        templates.render(locale, template, channel, values);
      }
    }
  }
});

test('every locale says every cancel reason in words, and money as the locale writes it', () => {
  for (const locale of templates.locales) {
    const words = templates.words(locale);
    for (const reason of enumSymbols.CancelReason) {
      assert.notEqual(words.cancelReason(reason), reason, `${locale}: ${reason}`);
    }
  }
  assert.equal(templates.words('en').money(3998, 'EUR'), '€39.98');
  assert.equal(templates.words('en').money(1500, 'JPY'), '¥1,500', 'a currency without minor units');
  assert.match(templates.words('de').money(3998, 'EUR'), /^39,98\s€$/);
});

test('a placeholder without a value, a malformed email template or a stray file is an error', () => {
  assert.throws(() => templates.render('en', 'order-placed', 'email', { orderId: 'x' }), TemplateError);
  const dir = mkdtempSync(join(tmpdir(), 'templates-'));
  mkdirSync(join(dir, 'xx'));
  writeFileSync(join(dir, 'xx', 'words.json'), JSON.stringify({ totalPending: 'tbd', cancelReasons: {} }));
  assert.throws(() => loadTemplates(dir), /cancelReasons for out_of_stock/);
  const complete = Object.fromEntries(enumSymbols.CancelReason.map((r) => [r, r.replace('_', ' ')]));
  writeFileSync(
    join(dir, 'xx', 'words.json'),
    JSON.stringify({ totalPending: 'tbd', cancelReasons: complete }),
  );
  writeFileSync(join(dir, 'xx', 'order-placed.email.txt'), 'no subject line\n');
  assert.throws(
    () => loadTemplates(dir).render('xx', 'order-placed', 'email', {}),
    /starts with "Subject: …"/,
  );
  writeFileSync(join(dir, 'xx', 'notes.md'), '');
  assert.throws(() => loadTemplates(dir), /notes\.md: not <event>/);
});
