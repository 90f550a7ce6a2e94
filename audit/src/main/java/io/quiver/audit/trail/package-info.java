/**
 * The trail's writers: synchronous append in the caller's transaction, and the batched
 * background writer with its local spool for database outages and shutdown.
 */
package io.quiver.audit.trail;
