/**
 * The per-tenant hash chain: canonical JSON, SHA-256 linking and the gap-free append
 * under a lock on the chain head.
 */
package io.quiver.audit.chain;
