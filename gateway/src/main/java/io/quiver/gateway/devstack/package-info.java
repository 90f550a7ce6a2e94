/**
 * The local stack's defaults: an embedded PostgreSQL when no database is configured, and
 * a bootstrap tenant and key.
 */
package io.quiver.gateway.devstack;
