/**
 * Tenants: the unit of isolation that every key, adapter, limit and audit event belongs
 * to.
 */
package io.quiver.tenancy.tenant;
