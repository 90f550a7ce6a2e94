/**
 * Limits and quotas of tenants and keys: requests and tokens per minute, concurrent
 * requests, token budgets per day or month.
 */
package io.quiver.tenancy.limit;
