/**
 * API keys: typed, checksummed secrets shown once, stored only as a hash, looked up by
 * that hash.
 */
package io.quiver.tenancy.apikey;
