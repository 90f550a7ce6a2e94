/**
 * The engine: one thread owns the model, the KV cache and the scheduler, and runs one
 * batched forward pass per step; other threads only enqueue commands and read events.
 */
package io.quiver.worker.engine;
