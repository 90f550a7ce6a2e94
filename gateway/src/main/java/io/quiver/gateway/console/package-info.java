/**
 * The admin console at {@code /console}: server-rendered pages where tenant admins and
 * auditors manage keys and read the audit trail, signed in with a browser session.
 */
package io.quiver.gateway.console;
