/**
 * The stable RFC 5322 Message-ID of a notification: the same (order, event, channel) always gets the
 * same one, so a receiver can drop the copy a resend after a crash would deliver (docs/notifications.md).
 * The SMS gateway gets it as the message's id too.
 */
export function notificationMessageId(
  orderId: string,
  event: string,
  channel: string,
  domain: string,
): string {
  for (const [name, part] of Object.entries({ orderId, event, channel, domain })) {
    if (!/^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$/.test(part)) {
      throw new Error(`message id: ${name} ${JSON.stringify(part)} is not dot-atom text`);
    }
  }
  return `<${orderId.toLowerCase()}.${event}.${channel}@${domain.toLowerCase()}>`;
}
