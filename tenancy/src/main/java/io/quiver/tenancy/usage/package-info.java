/**
 * Metered usage: one append-only record per request and a daily roll-up per tenant, key
 * and adapter.
 */
package io.quiver.tenancy.usage;
