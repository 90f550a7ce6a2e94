/**
 * The paged key/value cache: fixed-size blocks of token slots, a block allocator that the
 * scheduler plans with, and the cache tensors the forward pass writes and gathers.
 */
package io.quiver.worker.kvcache;
