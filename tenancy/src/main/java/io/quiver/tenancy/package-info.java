/**
 * Tenancy: who the callers are and what belongs to whom (tenants, API keys, and in later
 * packages members, identity providers, adapters and limits).
 */
package io.quiver.tenancy;
