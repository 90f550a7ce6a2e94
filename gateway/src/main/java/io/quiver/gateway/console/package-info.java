/**
 * The admin console at {@code /console}: server-rendered pages where tenant admins and
 * auditors manage keys, members and identity providers and read the audit trail, signed
 * in with a browser session through a local account or their organisation's identity
 * provider.
 */
package io.quiver.gateway.console;
