/**
 * The audit trail's public API: build an {@link io.quiver.audit.AuditEvent} and hand it
 * to the {@link io.quiver.audit.AuditTrail}; everything in sub-packages is the module's
 * own business.
 */
package io.quiver.audit;
