/**
 * Picks each sequence's next token from its logits: temperature, top-k, top-p, min-p,
 * penalties, seeds, and the log-probabilities a request asks for.
 */
package io.quiver.worker.sampler;
