/**
 * What the gateway tells the audit trail: admin changes inside their transaction,
 * authentication failures and every inference request (metadata only) off the hot path,
 * and who the caller of the audit endpoints is.
 */
package io.quiver.gateway.auditing;
